// What a request's span and its upstream attempts' child spans say, per the OpenTelemetry GenAI
// semantic conventions (span name `{gen_ai.operation.name} {gen_ai.request.model}`, gen_ai.*
// attributes, error.type). An attempt's span runs with the attempt (from its start to its end), so
// the upstream request carries it as its parent; the request's span is filled from its usage
// records when the request is over.
import { SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
  GEN_AI_PROVIDER_NAME_VALUE_X_AI,
} from '@opentelemetry/semantic-conventions/incubating';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import type { Attempt } from '../core/requests/attempt.ts';
import type { AttemptAnswer, AttemptStart, GenAiOperation } from '../core/telemetry/attempt-telemetry.ts';
import { ERROR_TYPES, errorTypeOf } from '../core/telemetry/error-types.ts';
import type { ObservedRequest, RequestEnd } from '../core/telemetry/request-telemetry.ts';
import type { Usage } from '../core/types.ts';
import { inputContentAttributes, outputContentAttributes, type ContentRedactor } from './gen-ai-content.ts';

/** gen_ai.provider.name's well-known values by provider kind; other kinds are named as they are. */
const PROVIDER_NAMES: Record<string, string> = {
  openai: GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
  azure: GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  anthropic: GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
  gemini: GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
  vertex: GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  'vertex-anthropic': GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI,
  bedrock: GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
  cohere: GEN_AI_PROVIDER_NAME_VALUE_COHERE,
  groq: GEN_AI_PROVIDER_NAME_VALUE_GROQ,
  mistral: GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
  deepseek: GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
  xai: GEN_AI_PROVIDER_NAME_VALUE_X_AI,
  perplexity: GEN_AI_PROVIDER_NAME_VALUE_PERPLEXITY,
};

export interface SpanNaming {
  /** The kind of a configured provider (catalog), for gen_ai.provider.name. */
  providerKind(providerId: string): string | undefined;
}

/** Prompt and completion content on attempt spans: the redactor when the operator opted in. */
export interface SpanContent {
  captureContent?: ContentRedactor | undefined;
}

/** Older live records carry no operation: an embeddings route says what it was. */
function operationOf(request: ObservedRequest, record: UsageRecord): GenAiOperation {
  return record.operation ?? (request.route.endsWith('/embeddings') ? 'embeddings' : 'chat');
}

export function providerName(naming: SpanNaming, providerId: string): string {
  const kind = naming.providerKind(providerId) ?? providerId;
  return PROVIDER_NAMES[kind] ?? kind;
}

/** Attributes known when the request begins. */
export function requestStartAttributes(request: ObservedRequest): Attributes {
  const [method, route] = request.route.split(' ');
  return {
    [ATTR_HTTP_REQUEST_METHOD]: method === 'WS' ? 'GET' : method,
    [ATTR_HTTP_ROUTE]: route,
    'modelgraph.request_id': request.requestId,
    'modelgraph.transport': request.transport,
  };
}

/** Names and fills the request's span from its usage records, then ends it (its attempts' spans have ended already). */
export function endRequestSpan(naming: SpanNaming, span: Span, request: ObservedRequest, end: RequestEnd): void {
  const records = request.usageRecords;
  const single = records.length === 1 ? records[0]! : undefined;
  const errorType = errorTypeOf(end.errorCode, request.status, single ?? records.find((record) => record.errorCode !== null));
  if (request.status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, request.status);
  if (request.operationType) {
    span.setAttribute('graphql.operation.type', request.operationType);
    if (request.operationName) span.setAttribute('graphql.operation.name', request.operationName);
  }
  if (request.caller?.teamId) span.setAttribute('modelgraph.team_id', request.caller.teamId);
  if (request.caller) span.setAttribute('modelgraph.key_id', request.caller.keyId);
  if (single) {
    const operation = operationOf(request, single);
    span.updateName(`${operation} ${single.requestedModel}`);
    span.setAttributes(recordAttributes(naming, operation, single));
  } else if (request.operationType) {
    span.updateName(`${request.operationType} ${request.operationName ?? '(anonymous)'}`);
  }
  if (errorType !== 'none') {
    span.setAttribute(ATTR_ERROR_TYPE, errorType);
    // Server spans are errors when the fault is not the caller's (a 5xx in HTTP terms).
    const fault = ERROR_TYPES[errorType];
    if (fault === 'provider' || fault === 'gateway') span.setStatus({ code: SpanStatusCode.ERROR, message: end.errorCode ?? errorType });
  }
  span.end();
}

function recordAttributes(naming: SpanNaming, operation: GenAiOperation, record: UsageRecord): Attributes {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_REQUEST_MODEL]: record.requestedModel,
    [ATTR_GEN_AI_REQUEST_STREAM]: record.streamed,
    'modelgraph.generation_id': record.id,
  };
  if (record.providerId) attributes[ATTR_GEN_AI_PROVIDER_NAME] = providerName(naming, record.providerId);
  if (record.providerId) attributes['modelgraph.provider.id'] = record.providerId;
  if (record.upstreamModel) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = record.upstreamModel;
  if (record.model) attributes['modelgraph.model'] = record.model;
  if (record.timeToFirstTokenMs !== null) attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = record.timeToFirstTokenMs / 1000;
  // What the upstream that served said of its response: the last attempt's.
  const last = record.attempts[record.attempts.length - 1];
  if (record.model !== null && last) Object.assign(attributes, responseAttributes(last));
  Object.assign(attributes, usageAttributes(record.usage));
  if (record.cost > 0n) attributes['modelgraph.cost_micro_usd'] = Number(record.cost);
  attributes['modelgraph.attempts'] = record.attempts.length;
  return attributes;
}

function responseAttributes(attempt: Attempt): Attributes {
  const attributes: Attributes = {};
  if (attempt.responseId) attributes[ATTR_GEN_AI_RESPONSE_ID] = attempt.responseId;
  if (attempt.finishReason) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = [attempt.finishReason];
  return attributes;
}

function usageAttributes(usage: Usage): Attributes {
  return {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
    [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: usage.cachedInputTokens,
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: usage.cacheWriteTokens,
    [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: usage.reasoningTokens,
  };
}

/** The CLIENT span of one upstream attempt, started as the attempt starts, under `parent` (the request's span). */
export function startAttemptSpan(tracer: Tracer, options: SpanNaming & SpanContent, parent: Context, start: AttemptStart): Span {
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: start.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: providerName(options, start.providerId),
    [ATTR_GEN_AI_REQUEST_MODEL]: start.upstreamModel,
    [ATTR_GEN_AI_REQUEST_STREAM]: start.streamed,
    'modelgraph.provider.id': start.providerId,
    'modelgraph.deployment.id': start.deploymentId,
    'modelgraph.model': start.modelName,
    'modelgraph.retry': start.retry,
  };
  if (options.captureContent) Object.assign(attributes, inputContentAttributes(start.upstreamRequest, options.captureContent));
  return tracer.startSpan(`${start.operation} ${start.upstreamModel}`, { kind: SpanKind.CLIENT, attributes }, parent);
}

/** Fills an attempt's span with how it ended and what its upstream answered, and ends it. */
export function endAttemptSpan(span: Span, options: SpanContent, attempt: Attempt, answer: AttemptAnswer | null): void {
  if (attempt.upstreamStatus != null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, attempt.upstreamStatus);
  if (attempt.errorCode === null) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, attempt.upstreamModel);
  span.setAttributes(responseAttributes(attempt));
  if (answer) {
    if (answer.usage) span.setAttributes(usageAttributes(answer.usage));
    if (answer.timeToFirstChunkMs !== null) span.setAttribute(ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, Math.max(0, answer.timeToFirstChunkMs) / 1000);
    if (options.captureContent) span.setAttributes(outputContentAttributes(answer, options.captureContent));
  }
  if (attempt.errorCode !== null) {
    // An attempt's rate limit is always its upstream's.
    span.setAttribute(ATTR_ERROR_TYPE, attempt.errorCode === 'RATE_LIMITED' ? 'upstream_rate_limited' : errorTypeOf(attempt.errorCode, null));
    span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.errorCode });
  }
  span.end();
}
