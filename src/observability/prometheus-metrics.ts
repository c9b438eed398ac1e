// Prometheus metrics (prom-client): request counts, durations, gateway overhead, upstream latency,
// time to first token, tokens and cost, derived from each request's access line and usage records
// (core/telemetry); the time between a stream's chunks, observed per chunk as the stream runs; router, usage writer, budget and stream state read when
// scraped; Node process metrics. The metric names and labels are listed in README, "Operations".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import { ERROR_TYPES, errorTypeOf } from '../core/telemetry/error-types.ts';
import type { AttemptObserver, AttemptStart } from '../core/telemetry/attempt-telemetry.ts';
import type { ObservedRequest, RequestEnd, RequestTelemetry } from '../core/telemetry/request-telemetry.ts';
import { gaugeCollectors, type GatewayStateSources } from './gateway-state-metrics.ts';

export interface PrometheusMetricsOptions extends GatewayStateSources {
  /** Tokens and cost also by API key id (`metrics.keyLabel`). */
  keyLabel: boolean;
  /** Node process metrics (CPU, memory, event loop, GC); off in tests that build several registries. */
  processMetrics?: boolean;
}

// Seconds. Overhead buckets resolve tens of microseconds; request buckets reach long streams.
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const FIRST_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30];
const INTER_TOKEN_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5];

const TOKEN_TYPES = ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const;

/**
 * prom-client hashes the label object of every `inc`/`observe` (its keys sorted, then joined); a
 * request makes about ten such calls and a stream one per chunk. The child of each set of label
 * values is kept here by the values alone, in `labelNames` order. Only for metrics never reset.
 */
class Children<T> {
  /** One level per label: the label's value, then the next level or, at the last label, the child. */
  private readonly children = new Map<string, unknown>();
  constructor(private readonly child: (...values: string[]) => T) {}

  of(...values: string[]): T {
    let level = this.children;
    const last = values.length - 1;
    for (let index = 0; index < last; index++) {
      let next = level.get(values[index]!) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(values[index]!, next);
      }
      level = next;
    }
    // No label at all: the metric's one child is kept under ''.
    const key = last < 0 ? '' : values[last]!;
    let found = level.get(key) as T | undefined;
    if (found === undefined) {
      found = this.child(...values);
      level.set(key, found);
    }
    return found;
  }
}

type CounterChild = ReturnType<Counter['labels']>;
type HistogramChild = ReturnType<Histogram['labels']>;
const countersOf = (metric: Counter) => new Children<CounterChild>((...values) => metric.labels(...values));
const histogramsOf = (metric: Histogram) => new Children<HistogramChild>((...values) => metric.labels(...values));

export class PrometheusMetrics implements RequestTelemetry {
  readonly registry = new Registry();
  private readonly responseCacheLookups = new Counter({
    name: 'modelgraph_response_cache_requests_total',
    help: 'Requests that consulted the response cache, by result (error: the store failed or was slow, served as a miss).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly open = new Set<ObservedRequest>();
  private readonly children: {
    requests: Children<CounterChild>;
    duration: Children<HistogramChild>;
    overhead: Children<HistogramChild>;
    upstream: Children<HistogramChild>;
    firstToken: Children<HistogramChild>;
    interToken: Children<HistogramChild>;
    tokens: Children<CounterChild>;
    cost: Children<CounterChild>;
    retries: Children<CounterChild>;
    fallbacks: Children<CounterChild>;
  };

  constructor(private readonly options: PrometheusMetricsOptions) {
    const registers = [this.registry];
    const byKey = options.keyLabel ? ['key'] : [];
    const counter = (name: string, help: string, labelNames: string[]) => countersOf(new Counter({ name, help, labelNames, registers }));
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
      histogramsOf(new Histogram({ name, help, labelNames, buckets, registers }));
    this.children = {
      requests: counter(
        'modelgraph_requests_total',
        'Requests (REST and GraphQL over HTTP) and GraphQL operations over WebSocket, by outcome; error_type is a closed vocabulary grouped by fault.',
        ['route', 'operation', 'model', 'provider', 'status', 'error_type', 'fault'],
      ),
      duration: histogram(
        'modelgraph_request_duration_seconds',
        'Time from the request (or operation) to the end of its response or stream.',
        ['route', 'operation', 'model', 'provider'],
        DURATION_BUCKETS,
      ),
      overhead: histogram(
        'modelgraph_gateway_overhead_seconds',
        "Request duration minus the time spent in upstream calls and retry waits: the gateway's own time, for requests that reached an upstream.",
        ['route'],
        OVERHEAD_BUCKETS,
      ),
      upstream: histogram(
        'modelgraph_upstream_duration_seconds',
        'Duration of each upstream attempt (to the end of its response or stream), by the error type it ended with.',
        ['provider', 'model', 'error_type'],
        DURATION_BUCKETS,
      ),
      firstToken: histogram('modelgraph_time_to_first_token_seconds', 'Streams: time from the request to the first token sent to the client.', ['provider', 'model'], FIRST_TOKEN_BUCKETS),
      interToken: histogram(
        'modelgraph_inter_token_seconds',
        'Streams: time between consecutive chunks sent on to the client (inter-token time), one observation per gap.',
        ['provider', 'model'],
        INTER_TOKEN_BUCKETS,
      ),
      tokens: counter(
        'modelgraph_tokens_total',
        'Tokens by type: input (all prompt tokens), output (all generated), cached_input and cache_write (subsets of input), reasoning (subset of output).',
        ['model', 'provider', 'team', 'type', ...byKey],
      ),
      cost: counter('modelgraph_cost_micro_usd_total', "Cost in micro-USD (1e-6 USD) at the deployments' prices.", ['model', 'provider', 'team', ...byKey]),
      retries: counter('modelgraph_retries_total', 'Upstream attempts made in a retry round (after a backoff).', ['model', 'provider']),
      fallbacks: counter(
        'modelgraph_fallbacks_total',
        'Attempts that moved to another deployment (another provider or a fallback model), by the deployment fallen back to.',
        ['model', 'provider'],
      ),
    };
    const open = this.open;
    new Gauge({
      name: 'modelgraph_open_requests',
      help: 'Requests and WebSocket operations in progress, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        this.reset();
        for (const transport of ['http', 'sse', 'ws']) this.set({ transport }, 0);
        for (const request of open) this.inc({ transport: request.transport });
      },
    });
    new Gauge({
      name: 'modelgraph_open_streams',
      help: 'Streamed completions and GraphQL subscriptions in progress, by transport.',
      labelNames: ['transport'],
      registers,
      collect() {
        this.reset();
        for (const transport of ['http', 'sse', 'ws']) this.set({ transport }, 0);
        for (const request of open) if (request.streaming) this.inc({ transport: request.transport });
      },
    });
    gaugeCollectors(options, registers);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** The response cache's hook (core/cache/response-cache.ts, `onLookup`). */
  responseCacheLookup(result: 'hit' | 'miss' | 'bypass' | 'error'): void {
    this.responseCacheLookups.inc({ result });
  }

  requestStarted(request: ObservedRequest): void {
    this.open.add(request);
  }

  /** Streams: each gap between two chunks of the attempt, as it happens (a clock read and an observe per chunk). */
  attemptStarted(_request: ObservedRequest, start: AttemptStart): AttemptObserver | undefined {
    if (!start.streamed) return undefined;
    const histogram = this.children.interToken.of(start.providerId, start.modelName);
    let last = -1;
    return {
      chunk() {
        const now = performance.now();
        if (last >= 0) histogram.observe((now - last) / 1000);
        last = now;
      },
      ended: () => undefined,
    };
  }

  requestEnded(request: ObservedRequest, end: RequestEnd): void {
    this.open.delete(request);
    const records = request.usageRecords;
    const single = records.length === 1 ? records[0]! : undefined;
    const failed = single ?? records.find((record) => record.errorCode !== null);
    const errorType = errorTypeOf(end.errorCode, request.status, failed);
    const route = request.route;
    const operation = request.operationType ?? '';
    const model = records.length > 1 ? '*' : single ? modelOf(single) : '';
    const provider = records.length > 1 ? '*' : single ? providerOf(single) : '';
    this.children.requests.of(route, operation, model, provider, request.status === null ? '' : String(request.status), errorType, ERROR_TYPES[errorType]).inc();
    this.children.duration.of(route, operation, model, provider).observe(end.durationMs / 1000);
    let upstreamMs = 0;
    let reached = false;
    for (const record of records) {
      let recordUpstreamMs = 0;
      for (const attempt of record.attempts) {
        reached = true;
        recordUpstreamMs += (attempt.upstreamMs ?? attempt.latencyMs) + (attempt.backoffMs ?? 0);
      }
      // Parallel calls (createChatCompletions) overlap: the longest stands for them all.
      if (recordUpstreamMs > upstreamMs) upstreamMs = recordUpstreamMs;
      this.observeRecord(record, request.caller?.keyId ?? '');
    }
    if (reached) this.children.overhead.of(route).observe(Math.max(0, end.durationMs - upstreamMs) / 1000);
  }

  private observeRecord(record: UsageRecord, keyId: string): void {
    const model = modelOf(record);
    const provider = providerOf(record);
    const attempts = record.attempts;
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      this.children.upstream.of(attempt.providerId, attempt.modelName, errorTypeOf(attempt.errorCode, null, record)).observe((attempt.upstreamMs ?? attempt.latencyMs) / 1000);
      if ((attempt.retry ?? 0) > 0) this.children.retries.of(attempt.modelName, attempt.providerId).inc();
      if (i > 0 && attempts[i - 1]!.deploymentId !== attempt.deploymentId) this.children.fallbacks.of(attempt.modelName, attempt.providerId).inc();
    }
    if (record.model === null) return;
    if (record.timeToFirstTokenMs !== null) this.children.firstToken.of(provider, model).observe(record.timeToFirstTokenMs / 1000);
    const team = record.teamId ?? '';
    const byKey = this.options.keyLabel ? [keyId] : [];
    const { usage } = record;
    const counts = [usage.inputTokens, usage.outputTokens, usage.cachedInputTokens, usage.cacheWriteTokens, usage.reasoningTokens];
    for (let i = 0; i < TOKEN_TYPES.length; i++) if (counts[i]! > 0) this.children.tokens.of(model, provider, team, TOKEN_TYPES[i]!, ...byKey).inc(counts[i]!);
    if (record.cost > 0n) this.children.cost.of(model, provider, team, ...byKey).inc(Number(record.cost));
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The public model that served, else the last one tried; never the requested name (any string a client sends). */
function modelOf(record: UsageRecord): string {
  return record.model ?? record.attempts[record.attempts.length - 1]?.modelName ?? '';
}

function providerOf(record: UsageRecord): string {
  return record.providerId ?? record.attempts[record.attempts.length - 1]?.providerId ?? '';
}
