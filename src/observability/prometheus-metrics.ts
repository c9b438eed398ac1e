// Prometheus metrics (prom-client): request counts, durations, gateway overhead, upstream latency,
// time to first token and per output token, tokens and cost, derived from each request's access
// line and usage records (core/telemetry); router, usage writer, budget and stream state read when
// scraped; Node process metrics. The metric names and labels are listed in README, "Operations".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UsageRecord } from '../core/metering.ts';
import { ERROR_TYPES, errorTypeOf } from '../core/telemetry/error-types.ts';
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
const PER_TOKEN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1];

const TOKEN_TYPES = ['input', 'output', 'cached_input', 'cache_write', 'reasoning'] as const;

export class PrometheusMetrics implements RequestTelemetry {
  readonly registry = new Registry();
  private readonly responseCacheLookups = new Counter({
    name: 'modelgraph_response_cache_requests_total',
    help: 'Requests that consulted the response cache, by result (error: the store failed or was slow, served as a miss).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly open = new Set<ObservedRequest>();
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly overhead: Histogram;
  private readonly upstream: Histogram;
  private readonly firstToken: Histogram;
  private readonly perToken: Histogram;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly retries: Counter;
  private readonly fallbacks: Counter;

  constructor(private readonly options: PrometheusMetricsOptions) {
    const registers = [this.registry];
    const byKey = options.keyLabel ? ['key'] : [];
    this.requests = new Counter({
      name: 'modelgraph_requests_total',
      help: 'Requests (REST and GraphQL over HTTP) and GraphQL operations over WebSocket, by outcome; error_type is a closed vocabulary grouped by fault.',
      labelNames: ['route', 'operation', 'model', 'provider', 'status', 'error_type', 'fault'],
      registers,
    });
    this.duration = new Histogram({
      name: 'modelgraph_request_duration_seconds',
      help: 'Time from the request (or operation) to the end of its response or stream.',
      labelNames: ['route', 'operation', 'model', 'provider'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: 'modelgraph_gateway_overhead_seconds',
      help: "Request duration minus the time spent in upstream calls and retry waits: the gateway's own time, for requests that reached an upstream.",
      labelNames: ['route'],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.upstream = new Histogram({
      name: 'modelgraph_upstream_duration_seconds',
      help: 'Duration of each upstream attempt (to the end of its response or stream), by the error type it ended with.',
      labelNames: ['provider', 'model', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.firstToken = new Histogram({
      name: 'modelgraph_time_to_first_token_seconds',
      help: 'Streams: time from the request to the first token sent to the client.',
      labelNames: ['provider', 'model'],
      buckets: FIRST_TOKEN_BUCKETS,
      registers,
    });
    this.perToken = new Histogram({
      name: 'modelgraph_time_per_output_token_seconds',
      help: 'Successful streams: time between output tokens after the first (inter-token time), one observation per stream.',
      labelNames: ['provider', 'model'],
      buckets: PER_TOKEN_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: 'modelgraph_tokens_total',
      help: 'Tokens by type: input (all prompt tokens), output (all generated), cached_input and cache_write (subsets of input), reasoning (subset of output).',
      labelNames: ['model', 'provider', 'team', 'type', ...byKey],
      registers,
    });
    this.cost = new Counter({
      name: 'modelgraph_cost_micro_usd_total',
      help: 'Cost in micro-USD (1e-6 USD) at the deployments\' prices.',
      labelNames: ['model', 'provider', 'team', ...byKey],
      registers,
    });
    this.retries = new Counter({
      name: 'modelgraph_retries_total',
      help: 'Upstream attempts made in a retry round (after a backoff).',
      labelNames: ['model', 'provider'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'modelgraph_fallbacks_total',
      help: 'Attempts that moved to another deployment (another provider or a fallback model), by the deployment fallen back to.',
      labelNames: ['model', 'provider'],
      registers,
    });
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
    this.requests.inc({ route, operation, model, provider, status: request.status === null ? '' : String(request.status), error_type: errorType, fault: ERROR_TYPES[errorType] });
    const seconds = end.durationMs / 1000;
    this.duration.observe({ route, operation, model, provider }, seconds);
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
    if (reached) this.overhead.observe({ route }, Math.max(0, end.durationMs - upstreamMs) / 1000);
  }

  private observeRecord(record: UsageRecord, keyId: string): void {
    const model = modelOf(record);
    const provider = providerOf(record);
    const attempts = record.attempts;
    for (let i = 0; i < attempts.length; i++) {
      const attempt = attempts[i]!;
      const labels = { model: attempt.modelName, provider: attempt.providerId };
      this.upstream.observe({ ...labels, error_type: errorTypeOf(attempt.errorCode, null, record) }, (attempt.upstreamMs ?? attempt.latencyMs) / 1000);
      if ((attempt.retry ?? 0) > 0) this.retries.inc(labels);
      if (i > 0 && attempts[i - 1]!.deploymentId !== attempt.deploymentId) this.fallbacks.inc(labels);
    }
    if (record.model === null) return;
    if (record.timeToFirstTokenMs !== null) {
      this.firstToken.observe({ model, provider }, record.timeToFirstTokenMs / 1000);
      const after = record.usage.outputTokens - 1;
      if (record.status === 'SUCCESS' && after > 0) this.perToken.observe({ model, provider }, (record.latencyMs - record.timeToFirstTokenMs) / after / 1000);
    }
    const team = record.teamId ?? '';
    const base = this.options.keyLabel ? { model, provider, team, key: keyId } : { model, provider, team };
    const { usage } = record;
    const counts = [usage.inputTokens, usage.outputTokens, usage.cachedInputTokens, usage.cacheWriteTokens, usage.reasoningTokens];
    for (let i = 0; i < TOKEN_TYPES.length; i++) if (counts[i]! > 0) this.tokens.inc({ ...base, type: TOKEN_TYPES[i]! }, counts[i]!);
    if (record.cost > 0n) this.cost.inc(base, Number(record.cost));
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
