// Signed and encrypted reasoning belongs to the provider family that produced it: Anthropic's
// thinking signatures, Gemini's thought signatures and Bedrock's redacted blocks are verified by
// that family only, and another provider must never receive them (they would be refused, or leak
// one provider's opaque data to another). Every routed adapter is wrapped here: blocks it returns
// are stamped with its family, and blocks of another family are dropped from what it is sent.
// Blocks without a family (a Chat Completions client's reasoning_details) pass as before.
import { MappedParts } from './mapped-parts.ts';
import type { ProviderAdapter } from './ports.ts';
import type { ChatRequest, Message, ReasoningBlock, StreamPart } from './types.ts';

export function scopeReasoningToFamily(adapter: ProviderAdapter, family: string): ProviderAdapter {
  // A stream's reasoning blocks are stamped with the family.
  const stampStep = (step: IteratorResult<StreamPart>): IteratorResult<StreamPart> => {
    if (step.done || step.value.type !== 'reasoning-block') return step;
    return { done: false, value: { type: 'reasoning-block', block: { ...step.value.block, family } } };
  };
  const scoped: ProviderAdapter = {
    generate: async (request, signal) => {
      const result = await adapter.generate(withoutForeignReasoning(request, family), signal);
      return result.reasoningBlocks.length === 0 ? result : { ...result, reasoningBlocks: result.reasoningBlocks.map((block) => ({ ...block, family })) };
    },
    stream: (request, signal) => new MappedParts(adapter.stream(withoutForeignReasoning(request, family), signal)[Symbol.asyncIterator](), stampStep),
  };
  const countTokens = adapter.countTokens;
  if (countTokens) scoped.countTokens = (request, signal) => countTokens.call(adapter, withoutForeignReasoning(request, family), signal);
  return scoped;
}

/** The request with every reasoning block of another family removed (the same object when there is none). */
export function withoutForeignReasoning(request: ChatRequest, family: string): ChatRequest {
  const foreign = (block: ReasoningBlock) => block.family !== undefined && block.family !== family;
  if (!request.messages.some((message) => message.role === 'assistant' && message.reasoning?.some(foreign))) return request;
  const messages = request.messages.map((message): Message => {
    if (message.role !== 'assistant' || !message.reasoning?.some(foreign)) return message;
    const reasoning = message.reasoning.filter((block) => !foreign(block));
    const { reasoning: _dropped, ...rest } = message;
    return reasoning.length > 0 ? { ...rest, reasoning } : rest;
  });
  return { ...request, messages };
}
