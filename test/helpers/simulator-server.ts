// The HTTP plumbing shared by the upstream simulators: a real node:http server on 127.0.0.1,
// request recording, scenario selection and close detection. Each simulator supplies `respond`,
// which writes the scenario in its provider's wire format.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export interface SimulatorResponder {
  (context: {
    request: RecordedRequest;
    scenario: Scenario;
    response: ServerResponse;
    /** True when the request asked for a stream (decided by the simulator's own protocol). */
    onClientClose(callback: () => void): void;
  }): void | Promise<void>;
}

export interface SimulatorOptions {
  /** Appended to the origin to form baseUrl, e.g. '/v1'. */
  basePath: string;
  respond: SimulatorResponder;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startSimulatorServer(options: SimulatorOptions): Promise<UpstreamSimulator> {
  let pick: (request: RecordedRequest) => Scenario = () => {
    throw new Error('no scenario set');
  };
  const requests: RecordedRequest[] = [];
  let closeWaiters: Array<() => void> = [];
  let pendingCloses = 0;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      // keep the raw text: a test may assert on it
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    requests.push(recorded);
    let scenario: Scenario;
    try {
      scenario = pick(recorded);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    const onClientClose = (callback: () => void) => {
      res.on('close', () => {
        if (!res.writableFinished) callback();
      });
    };
    res.on('close', () => {
      if (res.writableFinished) return;
      const waiters = closeWaiters;
      closeWaiters = [];
      if (waiters.length === 0) pendingCloses++;
      for (const waiter of waiters) waiter();
    });
    await options.respond({ request: recorded, scenario, response: res, onClientClose });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${options.basePath}`,
    requests,
    setScenario(scenario) {
      pick = typeof scenario === 'function' ? scenario : () => scenario;
    },
    waitForClientClose(timeoutMs = 5000) {
      if (pendingCloses > 0) {
        pendingCloses--;
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the client did not close the connection')), timeoutMs);
        closeWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes one SSE event; `event` is omitted for data-only streams such as OpenAI's. */
export function writeSse(response: ServerResponse, data: string, event?: string): void {
  response.write(`${event === undefined ? '' : `event: ${event}\n`}data: ${data}\n\n`);
}

/** Splits a string into `pieces` non-empty parts (for argument deltas across chunks). */
export function splitInto(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}
