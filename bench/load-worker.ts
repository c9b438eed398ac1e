// The load generator, a process of its own (forked by bench/run.ts with an IPC channel, pinned to
// the core the gateway does not use). Closed-loop request/response load is autocannon's, open-loop
// fixed-rate load is open-loop.ts's; streams use the small clients in stream-clients.ts. Each command measures one window and replies with its figures,
// including the gateway's CPU time and peak RSS read from /proc around that window.
import { Agent } from 'node:http';
import autocannon from 'autocannon';
import type { Client } from 'graphql-ws';
import type { LoadCommand, LoadFigures, LoadReply, RequestFigures, RequestLoad, StreamFigures, StreamLoad } from './load-commands.ts';
import { runRate } from './open-loop.ts';
import { cpuPer, openProcessWindow, processFigures } from './process-stats.ts';
import { gatewayCore } from './services.ts';
import { percentile, Samples } from './statistics.ts';
import { connectGraphQLWs, graphQLSseStream, graphQLWsStream, openAISseStream, type StreamOutcome } from './stream-clients.ts';

async function runRequests(load: RequestLoad): Promise<RequestFigures> {
  const latencies = new Samples();
  let firstFailure: string | null = null;
  const closeWindow = openProcessWindow(load.pid, gatewayCore);
  const started = performance.now();
  const result = await autocannon({
    url: load.url,
    method: 'POST',
    headers: load.headers,
    body: load.body,
    connections: load.connections,
    pipelining: 1,
    duration: load.durationSeconds,
    timeout: 30,
    verifyBody: (body) => {
      const ok = typeof body === 'string' && body.includes(load.expectText);
      if (!ok) firstFailure ??= `unexpected body: ${String(body).slice(0, 300)}`;
      return ok;
    },
    setupClient: (client) => {
      client.on('response', (statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    },
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const window = closeWindow();
  const okRequests = result['2xx'] - result.mismatches;
  const failedRequests = result.non2xx + result.mismatches + result.errors + result.timeouts;
  if (failedRequests > 0) firstFailure ??= `${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`;
  const sorted = latencies.sorted();
  const durationSeconds = result.duration || elapsedSeconds;
  return {
    kind: 'requests',
    durationSeconds,
    okRequests,
    failedRequests,
    requestsPerSecond: okRequests / durationSeconds,
    latencyP50Ms: percentile(sorted, 0.5),
    latencyP99Ms: percentile(sorted, 0.99),
    ...processFigures(window),
    cpuMicrosecondsPerRequest: cpuPer(window, okRequests),
    firstFailure,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runStreams(load: StreamLoad): Promise<StreamFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 30_000 });
  let clients: Client[] = [];
  try {
    let openOne: (slot: number) => Promise<StreamOutcome>;
    if (load.protocol === 'graphql-ws') {
      // Sockets are opened and acknowledged before the window: a client keeps its socket.
      clients = await Promise.all(Array.from({ length: load.streams }, () => connectGraphQLWs(load.url, load.headers)));
      const payload = JSON.parse(load.body) as { query: string; operationName: string; variables: Record<string, unknown> };
      openOne = (slot) => graphQLWsStream(clients[slot]!, payload, load.timeoutMs);
    } else {
      const open = load.protocol === 'openai-sse' ? openAISseStream : graphQLSseStream;
      const request = { url: load.url, headers: load.headers, body: load.body, agent, timeoutMs: load.timeoutMs };
      openOne = () => open(request);
    }

    const ttfts = new Samples();
    let contentEvents = 0;
    let incompleteStreams = 0;
    let streams = 0;
    let firstFailure: string | null = null;
    const closeWindow = openProcessWindow(load.pid, gatewayCore);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: load.streams }, async (_, slot) => {
        await sleep((slot * load.rampMs) / load.streams);
        for (let round = 0; round < load.rounds; round++) {
          const outcome = await openOne(slot);
          streams++;
          contentEvents += outcome.contentEvents;
          if (outcome.ttftMs !== null) ttfts.push(outcome.ttftMs);
          if (!outcome.finished || outcome.contentEvents !== load.expectedEvents) {
            incompleteStreams++;
            firstFailure ??= outcome.error ?? `stream ended after ${outcome.contentEvents} of ${load.expectedEvents} events (finished: ${outcome.finished})`;
          }
        }
      }),
    );
    const durationSeconds = (performance.now() - started) / 1000;
    const window = closeWindow();
    const sorted = ttfts.sorted();
    return {
      kind: 'streams',
      durationSeconds,
      streams,
      incompleteStreams,
      contentEvents,
      eventsPerSecond: contentEvents / durationSeconds,
      ttftP50Ms: percentile(sorted, 0.5),
      ttftP99Ms: percentile(sorted, 0.99),
      ...processFigures(window),
      cpuMicrosecondsPerEvent: cpuPer(window, contentEvents),
      firstFailure,
    };
  } finally {
    agent.destroy();
    await Promise.all(clients.map((client) => client.dispose()));
  }
}

async function execute(command: LoadCommand): Promise<LoadFigures> {
  if (command.kind === 'rate') return runRate(command);
  return command.kind === 'requests' ? runRequests(command) : runStreams(command);
}

if (process.send) {
  process.on('message', (command: LoadCommand) => {
    execute(command).then(
      (figures) => process.send!({ id: command.id, figures } satisfies LoadReply),
      (error: unknown) => process.send!({ id: command.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies LoadReply),
    );
  });
  process.send({ ready: true });
}
