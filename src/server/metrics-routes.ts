// GET /metrics: the Prometheus text exposition. On the main port it answers an admin key or a key
// with the METRICS scope (401 without a valid key, 403 for another key, in the OpenAI error
// format); `metrics.listen` serves it instead on a separate address without authentication.
import { listen } from './listen.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { secretFromHeaders, type Caller, type Credentials } from '../core/auth.ts';
import { ForbiddenError, toGatewayError } from '../core/errors.ts';
import { openAIErrorFormat } from '../http/openai/openai-error-format.ts';
import { writeError } from '../http/shared/write-json.ts';

export interface MetricsExposition {
  (): Promise<{ contentType: string; body: string }>;
}

export const METRICS_PATH = '/metrics';

/** The handler for the main port: true when it answered the request. */
export function metricsRoute(options: {
  exposition: MetricsExposition;
  authenticate(credentials: Credentials): Promise<Caller>;
  clientAddress(request: IncomingMessage): string | undefined;
}): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  return async (request, response) => {
    if (!isMetricsRequest(request)) return false;
    try {
      const caller = await options.authenticate({ secret: secretFromHeaders(request.headers), clientAddress: options.clientAddress(request) });
      if (!caller.scopes.includes('ADMIN') && !caller.scopes.includes('METRICS')) {
        throw new ForbiddenError('Reading /metrics needs an admin key or a key with the METRICS scope');
      }
      await writeExposition(response, options.exposition);
    } catch (error) {
      writeError(response, toGatewayError(error), openAIErrorFormat);
    }
    return true;
  };
}

/** `metrics.listen`: a server of its own answering GET /metrics (404 elsewhere), without authentication. */
export async function startMetricsServer(options: { host: string; port: number; exposition: MetricsExposition }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (!isMetricsRequest(request)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at GET /metrics\n');
      return;
    }
    writeExposition(response, options.exposition).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('Metrics could not be collected\n');
    });
  });
  const url = await listen(server, options.port, options.host);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isMetricsRequest(request: IncomingMessage): boolean {
  const url = request.url ?? '/';
  return (request.method === 'GET' || request.method === 'HEAD') && (url === METRICS_PATH || url.startsWith(`${METRICS_PATH}?`));
}

async function writeExposition(response: ServerResponse, exposition: MetricsExposition): Promise<void> {
  const { contentType, body } = await exposition();
  response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}
