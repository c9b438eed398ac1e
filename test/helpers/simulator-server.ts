// The HTTP plumbing shared by the upstream simulators: a real node:http server on 127.0.0.1,
// request recording, scenario selection and client-close detection. Each simulator supplies
// `respond`, which writes the scenario in its provider's wire format.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'vitest';
import type { ClientClose, CloseMark, RecordedRequest, Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export interface SimulatorResponder {
  (context: {
    request: RecordedRequest;
    scenario: Scenario;
    response: ServerResponse;
    /** Runs `callback` when the client closes the connection before the response is finished. */
    onClientClose(callback: () => void): void;
  }): void | Promise<void>;
}

export interface SimulatorOptions {
  /** Appended to the origin to form baseUrl, e.g. '/v1'. */
  basePath: string;
  respond: SimulatorResponder;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface CloseWaiter {
  mark: CloseMark;
  resolve(close: ClientClose): void;
}

export async function startSimulatorServer(options: SimulatorOptions): Promise<UpstreamSimulator> {
  let pick: (request: RecordedRequest) => Scenario = () => {
    throw new Error('no scenario set');
  };
  const requests: RecordedRequest[] = [];
  const open = new Set<number>();
  let closes: ClientClose[] = [];
  let closeSequence = 0;
  let waiters: CloseWaiter[] = [];
  let exchanges = 0;
  const counts = (close: ClientClose, mark: CloseMark) => close.sequence > mark.sequence && mark.open.includes(close.exchange);

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
    const exchange = ++exchanges;
    open.add(exchange);
    const clientHungUp = watchPeerHangUp(req.socket, res);
    const onClose: Array<() => void> = [];
    res.on('close', () => {
      open.delete(exchange);
      // Only a close the client started counts: not a finished response, not the simulator's own cut.
      if (res.writableFinished || !clientHungUp()) return;
      const close: ClientClose = { sequence: ++closeSequence, exchange, request: recorded };
      closes.push(close);
      const waiting = waiters;
      waiters = waiting.filter((waiter) => !counts(close, waiter.mark));
      for (const waiter of waiting) if (counts(close, waiter.mark)) waiter.resolve(close);
      for (const callback of onClose) callback();
    });
    let scenario: Scenario;
    try {
      scenario = pick(recorded);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      return;
    }
    await options.respond({ request: recorded, scenario, response: res, onClientClose: (callback) => onClose.push(callback) });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}${options.basePath}`,
    requests,
    setScenario(scenario) {
      pick = typeof scenario === 'function' ? scenario : () => scenario;
      // A new case starts with no closes on record.
      closes = [];
    },
    markOpenRequests: () => ({ sequence: closeSequence, open: [...open] }),
    waitForClientClose(mark, timeoutMs = 5000) {
      const earlier = closes.find((close) => counts(close, mark));
      if (earlier !== undefined) return Promise.resolve(earlier);
      return new Promise<ClientClose>((resolve, reject) => {
        const waiter: CloseWaiter = {
          mark,
          resolve: (close) => {
            clearTimeout(timer);
            resolve(close);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((other) => other !== waiter);
          reject(new Error(`the client did not close any of the requests open at the mark (${mark.open.join(', ') || 'none'}) within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Whether the client hung up on this response: its FIN ('end') or reset ('error') reached the
 * socket before the simulator began closing it. A socket the simulator destroys itself (a 'cut'
 * scenario) sees neither, so its close is not the client's.
 */
function watchPeerHangUp(socket: Socket, response: ServerResponse): () => boolean {
  let hungUp = false;
  const onHangUp = () => {
    if (!socket.writableEnded) hungUp = true;
  };
  // Ahead of node:http's own listeners, which end the socket in turn when the client hangs up.
  socket.prependListener('end', onHangUp);
  socket.prependListener('error', onHangUp);
  // The socket may serve later requests (keep-alive): stop watching when this response is done.
  response.once('close', () => {
    socket.off('end', onHangUp);
    socket.off('error', onHangUp);
  });
  return () => hungUp;
}

/**
 * Takes a mark, runs `act` (the test's abort), and resolves with the close it caused: a close the
 * client started after the mark, of a request open at the mark. Fails at once when no request was
 * open, since then nothing the test does can be shown to close one.
 */
export async function closeCausedBy(simulator: UpstreamSimulator, act: () => unknown, timeoutMs = 5000): Promise<ClientClose> {
  const mark = simulator.markOpenRequests();
  if (mark.open.length === 0) throw new Error('no upstream request was open when the test acted');
  const closed = simulator.waitForClientClose(mark, timeoutMs);
  closed.catch(() => undefined); // reported below, once `act` is done
  await act();
  return closed;
}

/** Resolves once the simulator has received `count` requests in all (a test's abort must find its request open). */
export async function waitForRequestCount(simulator: UpstreamSimulator, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (simulator.requests.length < count) {
    if (Date.now() > deadline) throw new Error(`the simulator received ${simulator.requests.length} requests, not ${count}, within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * Starts `call` against an upstream that hangs, aborts it once the upstream has the request, and
 * checks that the abort closed that request's upstream connection. Returns what the call settled
 * with (its value, or what it threw).
 */
export async function abortWhileUpstreamHangs(simulator: UpstreamSimulator, call: (signal: AbortSignal) => Promise<unknown>): Promise<unknown> {
  simulator.setScenario({ kind: 'hang' });
  const controller = new AbortController();
  const before = simulator.requests.length;
  const pending = call(controller.signal).catch((thrown: unknown) => thrown);
  await waitForRequestCount(simulator, before + 1);
  const close = await closeCausedBy(simulator, () => controller.abort());
  expect(close.request).toBe(simulator.requests.at(-1));
  return pending;
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
