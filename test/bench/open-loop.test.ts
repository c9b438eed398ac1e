// The benchmark's open-loop generator (bench/open-loop.ts) against a real HTTP server: it sends on
// its schedule whatever the answers, times each request from its scheduled send (so a stall shows
// as queueing), and counts failures and timeouts of the measured window only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RateLoad } from '../../bench/load-commands.ts';
import { runRate } from '../../bench/open-loop.ts';

const expectText = 'bench answer';

interface Upstream {
  url: string;
  arrivals: number;
  /** performance.now() of each arrival. */
  arrivedAt: number[];
  peakConcurrency: number;
  server: Server;
}

let upstream: Upstream | undefined;

afterEach(async () => {
  upstream?.server.closeAllConnections();
  await new Promise((resolve) => upstream?.server.close(resolve));
  upstream = undefined;
});

/** A server whose answer to the n-th arriving request (from 1) `handle` writes. */
async function startUpstream(handle: (arrival: number, response: ServerResponse, request: IncomingMessage) => void): Promise<Upstream> {
  let concurrency = 0;
  const server = createServer((request, response) => {
    const state = upstream!;
    const arrival = ++state.arrivals;
    state.arrivedAt.push(performance.now());
    state.peakConcurrency = Math.max(state.peakConcurrency, ++concurrency);
    response.on('close', () => concurrency--);
    request.resume();
    request.on('end', () => handle(arrival, response, request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`, arrivals: 0, arrivedAt: [], peakConcurrency: 0, server };
  return upstream;
}

const answer = (response: ServerResponse, status = 200, text = expectText) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ text }));
};

function load(url: string, overrides: Partial<RateLoad>): RateLoad {
  return { kind: 'rate', url, headers: { 'content-type': 'application/json' }, body: '{}', expectText, rate: 100, warmupSeconds: 0, durationSeconds: 1, connections: 200, timeoutMs: 5_000, ...overrides };
}

describe('open-loop fixed-rate generator', () => {
  it('sends on its schedule while earlier requests are still unanswered', async () => {
    const { url } = await startUpstream((_, response) => setTimeout(() => answer(response), 500));
    const figures = await runRate(load(url, { warmupSeconds: 0.2, durationSeconds: 1 }));
    // 100 req/s with each answer held 500 ms: about 50 in flight; a closed loop would have 1.
    expect(upstream!.peakConcurrency).toBeGreaterThanOrEqual(30);
    expect(upstream!.arrivals).toBe(120);
    // Spread out, not sent in bursts whenever answers come back: the 1.2 s of arrivals fill most
    // 100 ms slots (a busy machine's stall of a few hundred ms empties a few); a generator that
    // waits for answers sends a burst every 500 ms and fills about 3.
    const first = upstream!.arrivedAt[0]!;
    const slots = new Set(upstream!.arrivedAt.map((at) => Math.floor((at - first) / 100)));
    expect(slots.size).toBeGreaterThanOrEqual(7);
    expect(figures).toMatchObject({ scheduledRequests: 100, okRequests: 100, failedRequests: 0, timeouts: 0 });
    expect(figures.latencyP50Ms).toBeGreaterThanOrEqual(500);
    expect(figures.achievedRate).toBeGreaterThan(30);
    expect(figures.achievedRate).toBeLessThan(150);
  });

  it('times each request from its scheduled send, so a stall counts against every request due during it', async () => {
    const { url } = await startUpstream((arrival, response) => {
      // Blocks the one event loop the generator shares: the ~30 requests due meanwhile go out late.
      if (arrival === 30) {
        const until = performance.now() + 300;
        while (performance.now() < until);
      }
      answer(response);
    });
    const figures = await runRate(load(url, {}));
    expect(figures.okRequests).toBe(100);
    // Measured from the actual send, the late requests would look instant (p90 about 1 ms).
    expect(figures.latencyP90Ms).toBeGreaterThanOrEqual(100);
    expect(figures.sendLagP99Ms).toBeGreaterThanOrEqual(200);
    expect(figures.latencyMaxMs).toBeGreaterThanOrEqual(250);
  });

  it('counts errors and unexpected bodies of the measured window, not of the warm-up', async () => {
    const { url } = await startUpstream((arrival, response) => (arrival % 2 === 0 ? answer(response, 503) : answer(response, 200, 'something else')));
    const figures = await runRate(load(url, { warmupSeconds: 0.2, durationSeconds: 0.5 }));
    expect(upstream!.arrivals).toBe(70);
    expect(figures).toMatchObject({ scheduledRequests: 50, okRequests: 0, failedRequests: 50, timeouts: 0 });
    expect(figures.firstFailure).toMatch(/^status (503|200)/);
    expect(figures.achievedRate).toBe(0);
  });

  it('aborts a request left unanswered past the timeout and counts it as a timeout', async () => {
    const { url } = await startUpstream((arrival, response) => (arrival % 5 === 0 ? undefined : answer(response)));
    const figures = await runRate(load(url, { durationSeconds: 0.5, timeoutMs: 300 }));
    expect(figures).toMatchObject({ scheduledRequests: 50, okRequests: 40, failedRequests: 0, timeouts: 10 });
    expect(figures.firstFailure).toBe('no answer within 300 ms');
  });
});
