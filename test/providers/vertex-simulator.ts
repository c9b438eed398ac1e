// A Vertex AI upstream for Gemini and Claude models. Vertex is a front for the same model APIs, and
// this simulator is built the same way: it checks what Vertex itself checks (the publisher-model URL
// `/v1/projects/{p}/locations/{l}/publishers/{google|anthropic}/models/{m}:{method}`, the OAuth
// bearer token, and for Claude the body's `anthropic_version: "vertex-2023-10-16"` and absent
// `model`), answers its own refusals (auth, permission, unknown model, quota) as google.rpc.Status
// bodies, and relays the rest to the Gemini and Anthropic simulators, whose wire formats Vertex
// passes through unchanged.
import { request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { startSimulatorServer } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startAnthropicSimulator } from './anthropic-simulator.ts';
import { startGeminiSimulator } from './gemini-simulator.ts';

export interface VertexSimulatorOptions {
  /** Whether Vertex accepts a bearer token; any non-empty token by default. */
  acceptToken?(token: string): boolean;
}

const routePattern = /^\/v1\/projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/locations\/([a-z0-9-]+)\/publishers\/(google|anthropic)\/models\/([^/:?]+):([A-Za-z]+)$/;
const statusNames: Record<number, string> = { 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED' };

export async function startVertexSimulator(options: VertexSimulatorOptions = {}): Promise<UpstreamSimulator> {
  const acceptToken = options.acceptToken ?? ((token: string) => token.length > 0);
  const gemini = await startGeminiSimulator();
  const anthropic = await startAnthropicSimulator();
  const front = await startSimulatorServer({
    basePath: '/v1',
    async respond({ request, scenario, response, onClientClose }) {
      const url = new URL(request.url, 'http://vertex');
      const route = routePattern.exec(url.pathname);
      if (request.method !== 'POST' || route === null) {
        writeStatus(response, 404, `The requested URL ${url.pathname} was not found on this server.`);
        return;
      }
      const [, project, location, publisher, model, method] = route as unknown as [string, string, string, string, string, string];
      const authorization = request.headers.authorization;
      if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ') || !acceptToken(authorization.slice(7))) {
        writeStatus(
          response,
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        );
        return;
      }
      if (publisher === 'google') {
        if (method !== 'generateContent' && method !== 'streamGenerateContent') {
          writeStatus(response, 400, `Method ${method} is not supported for publisher model ${model}.`);
          return;
        }
        await relay(`${gemini.baseUrl}/models/${model}:${method}${url.search}`, { authorization, 'content-type': 'application/json' }, request, response, onClientClose);
        return;
      }
      if (method !== 'rawPredict' && method !== 'streamRawPredict') {
        writeStatus(response, 400, `Method ${method} is not supported for publisher model ${model}.`);
        return;
      }
      const body = request.body as Record<string, unknown> | undefined;
      if (body?.anthropic_version !== 'vertex-2023-10-16') {
        writeAnthropicError(response, 400, "anthropic_version: Input should be 'vertex-2023-10-16'");
        return;
      }
      if ('model' in body) {
        writeAnthropicError(response, 400, 'model: Extra inputs are not permitted');
        return;
      }
      // Vertex's own refusals come before the model is reached, in Google's error shape.
      if (scenario.kind === 'error' && statusNames[scenario.status] !== undefined) {
        writeScenarioRefusal(response, scenario, `projects/${project}/locations/${location}/publishers/anthropic/models/${model}`);
        return;
      }
      const { anthropic_version: _version, ...messagesBody } = body;
      await relay(
        `${anthropic.baseUrl}/messages`,
        { 'x-api-key': 'vertex-internal', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        { ...request, body: { model, ...messagesBody } },
        response,
        onClientClose,
      );
    },
  });
  return {
    baseUrl: front.baseUrl,
    requests: front.requests,
    setScenario(scenario) {
      front.setScenario(scenario);
      gemini.setScenario(scenario);
      anthropic.setScenario(scenario);
    },
    markOpenRequests: () => front.markOpenRequests(),
    waitForClientClose: (mark, timeoutMs) => front.waitForClientClose(mark, timeoutMs),
    async close() {
      await front.close();
      await Promise.all([gemini.close(), anthropic.close()]);
    },
  };
}

const forwardedHeaders = ['content-type', 'retry-after', 'request-id', 'cache-control'];

/** Relays the request and streams the answer back; a dropped upstream drops the client, and a client that leaves drops the upstream. */
function relay(
  target: string,
  headers: Record<string, string>,
  request: RecordedRequest,
  response: ServerResponse,
  onClientClose: (callback: () => void) => void,
): Promise<void> {
  const body = JSON.stringify(request.body);
  return new Promise((resolve) => {
    const upstream = httpRequest(target, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, pick(upstreamResponse.headers));
      upstreamResponse.pipe(response);
      upstreamResponse.on('close', () => {
        // Cut off upstream: end the client's connection too, after what was already relayed.
        if (!upstreamResponse.complete) response.socket?.destroySoon();
        resolve();
      });
    });
    upstream.on('error', () => {
      response.destroy();
      resolve();
    });
    onClientClose(() => upstream.destroy());
    upstream.end(body);
  });
}

function pick(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of forwardedHeaders) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

function writeScenarioRefusal(response: ServerResponse, scenario: Extract<Scenario, { kind: 'error' }>, resource: string): void {
  const message = scenario.status === 404 ? `Publisher Model \`${resource}\` not found. ${scenario.message}` : scenario.message;
  const details =
    scenario.status === 429 && scenario.retryAfterSeconds !== undefined
      ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${scenario.retryAfterSeconds}s` }]
      : [];
  writeStatus(response, scenario.status, message, details);
}

/** google.rpc.Status, as Vertex's front end answers. */
function writeStatus(response: ServerResponse, status: number, message: string, details: Array<Record<string, unknown>> = []): void {
  const error = { code: status, message, status: statusNames[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'), ...(details.length > 0 ? { details } : {}) };
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify({ error }));
}

function writeAnthropicError(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } }));
}
