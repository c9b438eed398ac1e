// What a benchmark run measures: the workloads (full and --quick) and the routes (targets).
// Every route is measured in the same run against the same mock upstream, so ratios between
// them hold even when absolute numbers drift between runs and machines.
import { graphQLMutationBody, graphQLSubscriptionPayload, mockAnswer, openAIRequestBody } from './bench-wire.ts';
import type { StreamProtocol } from './stream-clients.ts';

export interface MockShape {
  ttftMs: number;
  chunks: number;
  gapMs: number;
}

export type Workload =
  | { id: string; kind: 'requests'; title: string; connections: number; durationSeconds: number; warmupSeconds: number }
  | { id: string; kind: 'rate'; title: string; rate: number; connections: number; durationSeconds: number; warmupSeconds: number; timeoutMs: number }
  | {
      id: string;
      kind: 'streams';
      title: string;
      streams: number;
      rounds: number;
      mock: MockShape;
      rampMs: number;
      timeoutMs: number;
    };

function requestWorkload(connections: number, durationSeconds: number, warmupSeconds: number): Workload {
  return {
    id: `requests-${connections}`,
    kind: 'requests',
    title: `Non-streaming, ${connections} connection${connections === 1 ? '' : 's'} (${durationSeconds} s measured after ${warmupSeconds} s warm-up)`,
    connections,
    durationSeconds,
    warmupSeconds,
  };
}

/** Open loop: `rate` requests/s evenly spaced, latency from each request's scheduled send time (bench/open-loop.ts). */
function rateWorkload(rate: number, durationSeconds: number, warmupSeconds: number): Workload {
  // One second's worth of connections: a gateway that falls behind queues the requests itself
  // rather than the client; they open as needed, so a quick gateway keeps a handful.
  const connections = rate;
  return {
    id: `rate-${rate}`,
    kind: 'rate',
    title:
      `Open loop, non-streaming, ${rate.toLocaleString('en-US')} requests/s evenly spaced, latency from the scheduled send ` +
      `(${durationSeconds} s measured after ${warmupSeconds} s warm-up at the same rate, up to ${connections.toLocaleString('en-US')} keep-alive connections)`,
    rate,
    connections,
    durationSeconds,
    warmupSeconds,
    timeoutMs: 15_000,
  };
}

function streamWorkload(streams: number, rounds: number, mock: MockShape, rampMs: number, timeoutMs: number): Workload {
  const offered = Math.round((streams * 1000) / mock.gapMs);
  return {
    id: `streams-${streams}`,
    kind: 'streams',
    title:
      `Streaming, ${streams === 1 ? 'one stream at a time' : `${streams.toLocaleString('en-US')} concurrent streams`} × ${mock.chunks} chunks ${mock.gapMs} ms apart, ` +
      `upstream TTFT ${mock.ttftMs} ms, ${rounds} stream${rounds === 1 ? '' : 's'} per slot (${offered.toLocaleString('en-US')} events/s offered)`,
    streams,
    rounds,
    mock,
    rampMs,
    timeoutMs,
  };
}

/** The metering workloads (bench/metering-bench.ts), run after the gateway workloads. */
export interface MeteringPlan {
  /** Records per usage-write run (`metering-write`), every run; 0 skips it. */
  writeRecords: number;
  /** Events seeded for the usage reports (`usage-query`), once; null skips it. */
  queryRows: number | null;
}

export const meteringWorkloadIds = ['metering-write', 'usage-query'] as const;

export interface Plan {
  runs: number;
  workloads: Workload[];
  metering: MeteringPlan;
}

/**
 * Full: about 15-20 minutes on 2 cores. 1,000 streams are spaced 25 ms apart (40k events/s offered,
 * below the ~60k events/s where PERFORMANCE.md saw the load side saturate) so the run stays bounded
 * even when a gateway queues streams; --gap-1000=50 gives the 20k events/s of the 100-stream case,
 * --gap-1000=5 the 200k events/s overload test.
 */
export function fullPlan(gapFor1000: number): Plan {
  return {
    runs: 3,
    workloads: [
      requestWorkload(1, 3, 1),
      requestWorkload(16, 3, 1),
      requestWorkload(64, 3, 1),
      requestWorkload(256, 3, 1),
      rateWorkload(200, 5, 1),
      rateWorkload(1000, 5, 1),
      // The latency a stream gets from an idle gateway: what each hop adds without queueing.
      streamWorkload(1, 40, { ttftMs: 20, chunks: 20, gapMs: 5 }, 0, 60_000),
      streamWorkload(100, 4, { ttftMs: 20, chunks: 200, gapMs: 5 }, 100, 60_000),
      streamWorkload(1000, 1, { ttftMs: 20, chunks: 200, gapMs: gapFor1000 }, 1000, 240_000),
    ],
    // 10M events take about 2.5 minutes to seed (3 GB) and are reported once.
    metering: { writeRecords: 200_000, queryRows: 10_000_000 },
  };
}

/** --quick: one run of the workloads the targets are stated for, shortened (no 10M-event usage reports); about 4 minutes. */
export function quickPlan(gapFor1000: number): Plan {
  return {
    runs: 1,
    workloads: [
      requestWorkload(64, 3, 1),
      rateWorkload(200, 2, 1),
      rateWorkload(1000, 2, 1),
      streamWorkload(100, 2, { ttftMs: 20, chunks: 200, gapMs: 5 }, 100, 60_000),
      streamWorkload(1000, 1, { ttftMs: 20, chunks: 100, gapMs: gapFor1000 }, 1000, 240_000),
    ],
    metering: { writeRecords: 20_000, queryRows: null },
  };
}

export type RouteGroup = 'baseline' | 'floor' | 'modelgraph' | 'peer';

export interface Route {
  id: string;
  label: string;
  group: RouteGroup;
  /** The process whose CPU and memory are the route's (none for the baseline). */
  pid?: number;
  /** The workloads (ids) the route is measured in; every workload when absent. */
  workloads?: readonly string[];
  requests?: { url: string; headers: Record<string, string>; body: string; expectText: string };
  streams?: { protocol: StreamProtocol; url: string; headers: Record<string, string>; body: string };
}

const json = { 'content-type': 'application/json' };

/** A Chat Completions endpoint (the mock, the floor, Portkey, modelgraph REST), JSON and SSE. */
export function chatCompletionsRoute(
  base: Omit<Route, 'requests' | 'streams'>,
  url: string,
  headers: Record<string, string>,
): Route {
  const all = { ...json, ...headers };
  return {
    ...base,
    requests: { url, headers: all, body: openAIRequestBody(false), expectText: mockAnswer },
    streams: { protocol: 'openai-sse', url, headers: { ...all, accept: 'text/event-stream' }, body: openAIRequestBody(true) },
  };
}

/** modelgraph's GraphQL edge: the mutation, and the subscription over SSE and over WebSocket. */
function graphQLRoutes(baseUrl: string, pid: number, headers: Record<string, string>, suffix = '', labelSuffix = ''): Route[] {
  const url = `${baseUrl}/graphql`;
  return [
    {
      id: `graphql${suffix}`,
      label: `modelgraph GraphQL mutation${labelSuffix}`,
      group: 'modelgraph',
      pid,
      requests: { url, headers: { ...json, accept: 'application/json', ...headers }, body: graphQLMutationBody(), expectText: mockAnswer },
    },
    {
      id: `graphql-sse${suffix}`,
      label: `modelgraph GraphQL subscription, SSE${labelSuffix}`,
      group: 'modelgraph',
      pid,
      streams: { protocol: 'graphql-sse', url, headers: { ...json, accept: 'text/event-stream', ...headers }, body: JSON.stringify(graphQLSubscriptionPayload()) },
    },
    {
      id: `graphql-ws${suffix}`,
      label: `modelgraph GraphQL subscription, WebSocket${labelSuffix}`,
      group: 'modelgraph',
      pid,
      streams: { protocol: 'graphql-ws', url: url.replace(/^http/, 'ws'), headers, body: JSON.stringify(graphQLSubscriptionPayload()) },
    },
  ];
}

/** The workloads the budgeted-key targets run in: the ones their goals are stated for, to keep the full run bounded. */
export const keyedWorkloadIds: readonly string[] = ['requests-64', 'streams-100', 'rate-200', 'rate-1000'];

/**
 * One way of calling modelgraph: a credential and any extra headers, measured on the edges and in
 * the workloads named. A new target is one more entry (cacheHitCaller below).
 */
export interface ModelgraphCaller {
  /** Appended to each route id: '' for the master key, '+key' for the budgeted virtual key. */
  suffix: string;
  /** Appended to each route label. */
  label: string;
  headers: Record<string, string>;
  edges: ReadonlyArray<'rest' | 'graphql'>;
  /** Every workload when absent. */
  workloads?: readonly string[];
  /** Non-streaming only: the route has no stream part (nor a stream check before measuring). */
  requestsOnly?: boolean;
}

export function modelgraphRoutes(baseUrl: string, pid: number, caller: ModelgraphCaller): Route[] {
  const routes: Route[] = [];
  if (caller.edges.includes('rest')) {
    const base = { id: `rest${caller.suffix}`, label: `modelgraph REST /v1/chat/completions${caller.label}`, group: 'modelgraph', pid } as const;
    const route = chatCompletionsRoute(base, `${baseUrl}/v1/chat/completions`, caller.headers);
    if (caller.requestsOnly) delete route.streams;
    routes.push(route);
  }
  if (caller.edges.includes('graphql')) routes.push(...graphQLRoutes(baseUrl, pid, caller.headers, caller.suffix, caller.label));
  return caller.workloads ? routes.map((route) => ({ ...route, workloads: caller.workloads })) : routes;
}

/**
 * The cost of observability (issue #19): the same REST request on gateways that differ only in
 * it. `rest` itself runs as shipped (logs at info, one access line per request; metrics on;
 * tracing off); `rest+obs-off` silences the logs and turns metrics off; `rest+traced` adds tracing,
 * exporting to a local OTLP sink that discards (bench/otlp-sink.ts). Each variant is a gateway
 * process of its own, started only when a selected target needs it:
 * `npm run bench -- --quick --no-peer --targets=rest,rest+obs-off,rest+traced --workloads=requests-64,streams-100`.
 */
export interface ObservabilityVariant {
  suffix: string;
  label: string;
  env(otlpSinkUrl: string): Record<string, string>;
  config: string;
}

export const observabilityVariants: readonly ObservabilityVariant[] = [
  { suffix: '+obs-off', label: ', logs silent, metrics off', env: () => ({ LOG_LEVEL: 'silent' }), config: 'metrics: { enabled: false }' },
  {
    suffix: '+traced',
    label: ', logs info, metrics on, tracing on (to a discarding OTLP sink)',
    env: (otlpSinkUrl) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlpSinkUrl }),
    config: '',
  },
];

/** The workloads the observability variants are measured in: CPU per request, open-loop latency, CPU per streamed event. */
export const observabilityWorkloadIds: readonly string[] = ['requests-1', 'requests-64', 'rate-1000', 'streams-100'];

/** The workloads the cache-hit target runs in: the ones its goals are stated for. */
export const cacheHitWorkloadIds: readonly string[] = ['requests-64', 'rate-200', 'rate-1000'];

/**
 * Every request a hit of the response cache (`rest+cache`): the master key asking for a TTL, so
 * the bench body (temperature 0.2, not deterministic) is cached; the route check before measuring
 * sends the request that fills the cache. REST only: GraphQL asks through its input, not a header.
 * Non-streaming only: a replayed stream sends the text as one delta, not the mock's chunks.
 */
export function cacheHitCaller(headers: Record<string, string>): ModelgraphCaller {
  return { suffix: '+cache', label: ', cache hit', headers: { ...headers, 'x-modelgraph-cache-ttl': '300' }, edges: ['rest'], workloads: cacheHitWorkloadIds, requestsOnly: true };
}
