// Chat completions and the cache: the query of a request, the answer kept of an outcome, and a
// hit replayed as the events of a stream (the same event types a live stream yields, so every
// stream encoder, REST SSE, Anthropic SSE, Responses and GraphQL, replays it unchanged).
import type { CompletionEvent, CompletionOutcome, CompletionRequest } from '../requests/request-types.ts';
import { chatKeyMaterial } from './cache-key.ts';
import type { CachedChatAnswer } from './cached-answer.ts';
import { isDeterministicChat } from './cache-policy.ts';
import type { CacheQuery } from './response-cache.ts';

export function chatCacheQuery(request: CompletionRequest): CacheQuery {
  return {
    kind: 'chat',
    caller: request.caller,
    model: request.model,
    directives: request.cache,
    deterministic: isDeterministicChat(request.parameters),
    material: chatKeyMaterial(request),
  };
}

export function chatAnswerOf(outcome: CompletionOutcome, deploymentId: string): CachedChatAnswer {
  return {
    kind: 'chat',
    result: outcome.result,
    usageEstimated: outcome.usageEstimated,
    served: { modelName: outcome.model, deploymentId, providerId: outcome.providerId, upstreamModel: outcome.upstreamModel },
    cost: outcome.cost.toString(),
  };
}

/** The content events of a cached answer, in the order a live stream yields them (reasoning, text, tool calls). */
export function* replayChatAnswer(answer: CachedChatAnswer): Generator<CompletionEvent> {
  const { result } = answer;
  if (result.reasoning) yield { type: 'reasoning-delta', text: result.reasoning };
  for (const block of result.reasoningBlocks) yield { type: 'reasoning-block', block };
  if (result.text) yield { type: 'text-delta', text: result.text };
  for (const [index, call] of result.toolCalls.entries()) {
    yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: '' };
    if (call.arguments) yield { type: 'tool-call-delta', index, id: null, name: null, argumentsDelta: call.arguments };
  }
}
