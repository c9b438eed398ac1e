import type { Attempt, CompletionEvent, CompletionOutcome } from '../../core/completion-service.ts';
import { GatewayError, toGatewayError } from '../../core/errors.ts';
import type { FinishReason, ToolCall, Usage } from '../../core/types.ts';
import { abortOnReturn } from '../abort-on-return.ts';
import { builder } from '../builder.ts';
import { serviceScope, type GraphQLContext } from '../context.ts';
import { CacheStatusEnum } from './response-cache.ts';
import { ChatCompletionInput, toCompletionRequest } from './chat-input.ts';
import { ErrorCodeEnum } from './gateway-error.ts';

const FinishReasonUnifiedEnum = builder.enumType('FinishReasonUnified', {
  values: ['STOP', 'LENGTH', 'TOOL_CALLS', 'CONTENT_FILTER', 'ERROR', 'OTHER'] as const,
});

const FinishReasonRef = builder.objectRef<FinishReason>('FinishReason').implement({
  fields: (t) => ({
    unified: t.field({ type: FinishReasonUnifiedEnum, resolve: (f) => f.unified }),
    raw: t.exposeString('raw', { nullable: true, description: "The provider's own value." }),
  }),
});

export const UsageRef = builder.objectRef<Usage>('Usage').implement({
  description: 'Token counts. inputTokens includes cached reads and cache writes; outputTokens includes reasoning.',
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens'),
    outputTokens: t.exposeInt('outputTokens'),
    cachedInputTokens: t.exposeInt('cachedInputTokens'),
    cacheWriteTokens: t.exposeInt('cacheWriteTokens'),
    reasoningTokens: t.exposeInt('reasoningTokens'),
    totalTokens: t.int({ resolve: (u) => u.inputTokens + u.outputTokens }),
  }),
});

const ToolCallRef = builder.objectRef<ToolCall>('ToolCall').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    arguments: t.exposeString('arguments', { description: 'The arguments as a JSON string.' }),
  }),
});

const ReasoningBlockRef = builder.objectRef<{ type: string; text?: string; signature?: string; data?: string }>('ReasoningBlock').implement({
  description: 'Reasoning as the provider returned it; send it back unchanged on the next turn.',
  fields: (t) => ({
    text: t.string({ nullable: true, resolve: (b) => b.text ?? null }),
    signature: t.string({ nullable: true, resolve: (b) => b.signature ?? null }),
    redactedData: t.string({ nullable: true, resolve: (b) => b.data ?? null }),
  }),
});

const AssistantMessageRef = builder.objectRef<CompletionOutcome['result']>('AssistantMessage').implement({
  fields: (t) => ({
    content: t.string({ nullable: true, resolve: (r) => (r.text === '' && r.toolCalls.length > 0 ? null : r.text) }),
    toolCalls: t.field({ type: [ToolCallRef], resolve: (r) => r.toolCalls }),
    reasoning: t.string({ nullable: true, resolve: (r) => r.reasoning || null }),
    reasoningBlocks: t.field({ type: [ReasoningBlockRef], resolve: (r) => r.reasoningBlocks }),
  }),
});

export const AttemptRef = builder.objectRef<Attempt>('Attempt').implement({
  description: 'One call to one deployment made while serving the request.',
  fields: (t) => ({
    deploymentId: t.exposeString('deploymentId'),
    model: t.exposeString('modelName'),
    provider: t.exposeString('providerId'),
    upstreamModel: t.exposeString('upstreamModel'),
    errorCode: t.field({ type: ErrorCodeEnum, nullable: true, resolve: (a) => a.errorCode }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    upstreamStatus: t.exposeInt('upstreamStatus', { nullable: true, description: "The upstream's HTTP status when it refused the request." }),
    latencyMs: t.exposeInt('latencyMs'),
    retry: t.exposeInt('retry', { description: '0 for the first round over the deployments, then the retry number.' }),
    backoffMs: t.exposeInt('backoffMs', { description: 'The wait before this attempt (backoff or Retry-After).' }),
  }),
});

/** What every served outcome (ChatCompletion, Embeddings) has: who served it (MeteredRequest.outcomeHead), its cost, time, attempts and cache status. */
type ServedOutcome = Pick<CompletionOutcome, 'generationId' | 'requestedModel' | 'model' | 'providerId' | 'upstreamModel' | 'cost' | 'latencyMs' | 'attempts' | 'cacheStatus'>;

export function servedOutcomeFields<Shape extends ServedOutcome>(t: PothosSchemaTypes.ObjectFieldBuilder<typeof builder.$inferSchemaTypes, Shape>) {
  return {
    id: t.string({ description: 'The generation id (for usage lookups).', resolve: (o) => o.generationId }),
    model: t.string({ description: 'The model name that served the request.', resolve: (o) => o.model }),
    requestedModel: t.string({ resolve: (o) => o.requestedModel }),
    provider: t.string({ resolve: (o) => o.providerId }),
    upstreamModel: t.string({ resolve: (o) => o.upstreamModel }),
    cost: t.field({ type: 'Money', resolve: (o) => o.cost }),
    latencyMs: t.int({ resolve: (o) => o.latencyMs }),
    attempts: t.field({ type: [AttemptRef], resolve: (o) => o.attempts }),
    cacheStatus: t.field({ type: CacheStatusEnum, nullable: true, description: 'The response cache: HIT, MISS or BYPASS; null when it took no part.', resolve: (o) => o.cacheStatus }),
  };
}

export const ChatCompletionRef = builder.objectRef<CompletionOutcome>('ChatCompletion').implement({
  fields: (t) => ({
    ...servedOutcomeFields(t),
    upstreamId: t.string({ nullable: true, resolve: (o) => o.result.id }),
    // Not `message`: every error result has `message: String!`, and one selection over the result
    // union must be able to ask for both without an alias.
    output: t.field({ type: AssistantMessageRef, description: "The assistant's reply: text, tool calls and reasoning.", resolve: (o) => o.result }),
    finishReason: t.field({ type: FinishReasonRef, resolve: (o) => o.result.finishReason }),
    usage: t.field({ type: UsageRef, resolve: (o) => o.result.usage }),
    usageEstimated: t.exposeBoolean('usageEstimated', { description: 'The upstream did not report usage; it was estimated.' }),
    timeToFirstTokenMs: t.exposeInt('timeToFirstTokenMs', { nullable: true }),
    warnings: t.exposeStringList('warnings', { description: 'Parameters the serving model does not support, dropped from what it was sent.' }),
  }),
});

builder.mutationField('createChatCompletion', (t) =>
  t.field({
    type: ChatCompletionRef,
    errors: { types: [GatewayError] },
    args: { input: t.arg({ type: ChatCompletionInput, required: true }) },
    authScopes: { inference: true },
    resolve: (_root, args, context) =>
      context.services.completions.create({ ...toCompletionRequest(args.input), ...serviceScope(context) }, context.signal),
  }),
);

// Stream events: a union whose last member is always ChatCompletionCompleted or ChatCompletionFailed.
type Started = Extract<CompletionEvent, { type: 'started' }>;
type ReasoningBlockEvent = Extract<CompletionEvent, { type: 'reasoning-block' }>;
type TextDelta = Extract<CompletionEvent, { type: 'text-delta' }>;
type ReasoningDelta = Extract<CompletionEvent, { type: 'reasoning-delta' }>;
type ToolCallDelta = Extract<CompletionEvent, { type: 'tool-call-delta' }>;
type Completed = Extract<CompletionEvent, { type: 'completed' }>;
type Failed = Extract<CompletionEvent, { type: 'error' }>;

const StartedRef = builder.objectRef<Started>('ChatCompletionStarted').implement({
  description: 'First event of every stream: the generation id, before any token.',
  fields: (t) => ({
    id: t.exposeString('generationId'),
    requestedModel: t.exposeString('requestedModel'),
  }),
});
const ReasoningBlockEventRef = builder.objectRef<ReasoningBlockEvent>('ChatReasoningBlock').implement({
  description: 'A complete signed or redacted reasoning block; send it back unchanged on the next turn.',
  fields: (t) => ({ block: t.field({ type: ReasoningBlockRef, resolve: (e) => e.block }) }),
});
const TextDeltaRef = builder.objectRef<TextDelta>('ChatTextDelta').implement({
  fields: (t) => ({ text: t.exposeString('text') }),
});
const ReasoningDeltaRef = builder.objectRef<ReasoningDelta>('ChatReasoningDelta').implement({
  fields: (t) => ({ text: t.exposeString('text') }),
});
const ToolCallDeltaRef = builder.objectRef<ToolCallDelta>('ChatToolCallDelta').implement({
  description: 'The first delta of a call carries its id and name; later ones carry argument pieces.',
  fields: (t) => ({
    index: t.exposeInt('index'),
    toolCallId: t.exposeString('id', { nullable: true }),
    toolName: t.exposeString('name', { nullable: true }),
    argumentsDelta: t.exposeString('argumentsDelta'),
  }),
});
const CompletedRef = builder.objectRef<Completed>('ChatCompletionCompleted').implement({
  description: 'Terminal event: the whole completion with finish reason, usage and cost.',
  fields: (t) => ({
    completion: t.field({ type: ChatCompletionRef, resolve: (e) => e.outcome }),
    finishReason: t.field({ type: FinishReasonRef, resolve: (e) => e.outcome.result.finishReason }),
    usage: t.field({ type: UsageRef, resolve: (e) => e.outcome.result.usage }),
    cost: t.field({ type: 'Money', resolve: (e) => e.outcome.cost }),
  }),
});
const FailedRef = builder.objectRef<Failed>('ChatCompletionFailed').implement({
  description: 'Terminal event: the stream failed. Usage and cost cover what was produced before the failure.',
  fields: (t) => ({
    id: t.exposeString('generationId'),
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.error.code }),
    message: t.string({ resolve: (e) => e.error.message }),
    error: t.field({ type: GatewayError, resolve: (e) => e.error }),
    usage: t.field({ type: UsageRef, resolve: (e) => e.usage }),
    cost: t.field({ type: 'Money', resolve: (e) => e.cost }),
    attempts: t.field({ type: [AttemptRef], resolve: (e) => e.attempts }),
  }),
});

const streamEventTypes = {
  started: StartedRef,
  'text-delta': TextDeltaRef,
  'reasoning-delta': ReasoningDeltaRef,
  'reasoning-block': ReasoningBlockEventRef,
  'tool-call-delta': ToolCallDeltaRef,
  completed: CompletedRef,
  error: FailedRef,
} as const;

export const ChatStreamEventUnion = builder.unionType('ChatStreamEvent', {
  types: [StartedRef, TextDeltaRef, ReasoningDeltaRef, ReasoningBlockEventRef, ToolCallDeltaRef, CompletedRef, FailedRef],
  // One lookup per event instead of asking each member type in turn.
  resolveType: (event) => streamEventTypes[(event as CompletionEvent).type],
});

builder.subscriptionField('chatCompletionStream', (t) =>
  t.field({
    type: ChatStreamEventUnion,
    args: { input: t.arg({ type: ChatCompletionInput, required: true }) },
    authScopes: { inference: true },
    // Over graphql-ws the connection's signal aborts only when the socket closes: `complete`
    // (the client unsubscribing) aborts this stream's own signal.
    subscribe: (_root, args, context) => abortOnReturn(context.signal, (signal) => chatEvents(args.input, context, signal)),
    resolve: (event) => event as CompletionEvent,
  }),
);

/** The service's own generator, not one delegating to it: `yield*` would cost a promise round trip per event. */
function chatEvents(input: typeof ChatCompletionInput.$inferInput, context: GraphQLContext, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
  let request;
  try {
    request = toCompletionRequest(input);
  } catch (error) {
    return failedAtOnce(toGatewayError(error));
  }
  return context.services.completions.stream({ ...request, ...serviceScope(context) }, signal);
}

async function* failedAtOnce(error: GatewayError): AsyncGenerator<CompletionEvent> {
  yield { type: 'error', error, generationId: '', attempts: [], usage: emptyUsageValue(), cost: 0n } satisfies Failed;
}

function emptyUsageValue(): Usage {
  return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}
