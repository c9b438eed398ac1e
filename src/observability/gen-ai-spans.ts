// What a request's span and its upstream attempts' child spans say, per the OpenTelemetry GenAI
// semantic conventions (span name `{gen_ai.operation.name} {gen_ai.request.model}`, gen_ai.*
// attributes, error.type). Attempt spans are made when the request is over, from its usage
// records: each attempt's duration is known, and attempts run one after another, so their times
// are laid back from the record's end.
import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import type { Attempt } from '../core/requests/attempt.ts';
import { ERROR_TYPES, errorTypeOf } from '../core/telemetry/error-types.ts';
import type { ObservedRequest, RequestEnd } from '../core/telemetry/request-telemetry.ts';

/** gen_ai.provider.name's well-known values by provider kind; other kinds are named as they are. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  azure: 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertex: 'gcp.vertex_ai',
  'vertex-anthropic': 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  cohere: 'cohere',
  groq: 'groq',
  mistral: 'mistral_ai',
  deepseek: 'deepseek',
  xai: 'x_ai',
  perplexity: 'perplexity',
};

export interface SpanNaming {
  /** The kind of a configured provider (catalog), for gen_ai.provider.name. */
  providerKind(providerId: string): string | undefined;
}

type OperationName = 'chat' | 'embeddings';

function operationOf(request: ObservedRequest): OperationName {
  return request.route.endsWith('/embeddings') ? 'embeddings' : 'chat';
}

export function providerName(naming: SpanNaming, providerId: string): string {
  const kind = naming.providerKind(providerId) ?? providerId;
  return PROVIDER_NAMES[kind] ?? kind;
}

/** Attributes known when the request begins. */
export function requestStartAttributes(request: ObservedRequest): Attributes {
  const [method, route] = request.route.split(' ');
  return { 'http.request.method': method === 'WS' ? 'GET' : method, 'http.route': route, 'modelgraph.request_id': request.requestId, 'modelgraph.transport': request.transport };
}

/** Names and fills the request's span and adds one child span per upstream attempt, then ends it. */
export function endRequestSpan(tracer: Tracer, naming: SpanNaming, span: Span, request: ObservedRequest, end: RequestEnd): void {
  const records = request.usageRecords;
  const single = records.length === 1 ? records[0]! : undefined;
  const operation = operationOf(request);
  const errorType = errorTypeOf(end.errorCode, request.status, single ?? records.find((record) => record.errorCode !== null));
  if (request.status !== null) span.setAttribute('http.response.status_code', request.status);
  if (request.operationType) {
    span.setAttribute('graphql.operation.type', request.operationType);
    if (request.operationName) span.setAttribute('graphql.operation.name', request.operationName);
  }
  if (request.caller?.teamId) span.setAttribute('modelgraph.team_id', request.caller.teamId);
  if (request.caller) span.setAttribute('modelgraph.key_id', request.caller.keyId);
  if (single) {
    span.updateName(`${operation} ${single.requestedModel}`);
    span.setAttributes(recordAttributes(naming, operation, single));
  } else if (request.operationType) {
    span.updateName(`${request.operationType} ${request.operationName ?? '(anonymous)'}`);
  }
  if (errorType !== 'none') {
    span.setAttribute('error.type', errorType);
    // Server spans are errors when the fault is not the caller's (a 5xx in HTTP terms).
    const fault = ERROR_TYPES[errorType];
    if (fault === 'provider' || fault === 'gateway') span.setStatus({ code: SpanStatusCode.ERROR, message: end.errorCode ?? errorType });
  }
  const parent = trace.setSpan(ROOT_CONTEXT, span);
  for (const record of records) addAttemptSpans(tracer, naming, operation, parent, record);
  span.end();
}

function recordAttributes(naming: SpanNaming, operation: OperationName, record: UsageRecord): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': record.requestedModel,
    'gen_ai.request.stream': record.streamed,
    'modelgraph.generation_id': record.id,
  };
  if (record.providerId) attributes['gen_ai.provider.name'] = providerName(naming, record.providerId);
  if (record.providerId) attributes['modelgraph.provider.id'] = record.providerId;
  if (record.upstreamModel) attributes['gen_ai.response.model'] = record.upstreamModel;
  if (record.model) attributes['modelgraph.model'] = record.model;
  if (record.timeToFirstTokenMs !== null) attributes['gen_ai.response.time_to_first_chunk'] = record.timeToFirstTokenMs / 1000;
  Object.assign(attributes, usageAttributes(record));
  if (record.cost > 0n) attributes['modelgraph.cost_micro_usd'] = Number(record.cost);
  attributes['modelgraph.attempts'] = record.attempts.length;
  return attributes;
}

function usageAttributes(record: UsageRecord): Attributes {
  const { usage } = record;
  return {
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': usage.cachedInputTokens,
    'gen_ai.usage.cache_creation.input_tokens': usage.cacheWriteTokens,
    'gen_ai.usage.reasoning.output_tokens': usage.reasoningTokens,
  };
}

function addAttemptSpans(tracer: Tracer, naming: SpanNaming, operation: OperationName, parent: ReturnType<typeof trace.setSpan>, record: UsageRecord): void {
  const requestStart = record.createdAt.getTime();
  // The last attempt ended when the record was made; each earlier one ended its backoff before the next.
  let endAt = requestStart + record.latencyMs;
  const times: Array<{ start: number; end: number }> = [];
  for (let i = record.attempts.length - 1; i >= 0; i--) {
    const attempt = record.attempts[i]!;
    const start = Math.max(requestStart, endAt - (attempt.upstreamMs ?? attempt.latencyMs));
    times[i] = { start, end: endAt };
    endAt = Math.max(requestStart, start - (attempt.backoffMs ?? 0));
  }
  record.attempts.forEach((attempt, i) => {
    const { start, end } = times[i]!;
    const span = tracer.startSpan(`${operation} ${attempt.upstreamModel}`, { kind: SpanKind.CLIENT, startTime: start, attributes: attemptAttributes(naming, operation, record, attempt) }, parent);
    const served = attempt.errorCode === null && i === record.attempts.length - 1;
    if (served) {
      span.setAttributes(usageAttributes(record));
      if (record.timeToFirstTokenMs !== null) span.setAttribute('gen_ai.response.time_to_first_chunk', Math.max(0, requestStart + record.timeToFirstTokenMs - start) / 1000);
    }
    if (attempt.errorCode !== null) {
      span.setAttribute('error.type', errorTypeOf(attempt.errorCode, null, record));
      span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.errorCode });
    }
    span.end(end);
  });
}

function attemptAttributes(naming: SpanNaming, operation: OperationName, record: UsageRecord, attempt: Attempt): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': providerName(naming, attempt.providerId),
    'gen_ai.request.model': attempt.upstreamModel,
    'gen_ai.request.stream': record.streamed,
    'modelgraph.provider.id': attempt.providerId,
    'modelgraph.deployment.id': attempt.deploymentId,
    'modelgraph.model': attempt.modelName,
    'modelgraph.retry': attempt.retry ?? 0,
  };
  if (attempt.errorCode === null) attributes['gen_ai.response.model'] = attempt.upstreamModel;
  if (attempt.upstreamStatus != null) attributes['http.response.status_code'] = attempt.upstreamStatus;
  return attributes;
}
