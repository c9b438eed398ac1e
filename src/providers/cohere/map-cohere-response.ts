// A non-streamed Cohere v2 chat response -> ChatResult, following the Chat API reference
// (response `message`: content items, tool_plan, tool_calls).
import type { ChatResult, ToolCall } from '../../core/types.ts';
import type { CohereWireChatResponse } from './cohere-wire.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';
import { mapCohereUsage } from './map-cohere-usage.ts';

/**
 * Text items make the answer. Thinking items (reasoning models) and the tool plan (the model's
 * stated plan before it calls tools) are reasoning, not answer text. Cohere's reasoning carries no
 * signature, so no reasoning blocks are kept. Cohere reports no model id.
 */
export function mapCohereResponse(response: CohereWireChatResponse): ChatResult {
  let text = '';
  let reasoning = '';
  for (const item of response.message?.content ?? []) {
    if (item.type === 'text') text += item.text ?? '';
    else if (item.type === 'thinking') reasoning += item.thinking ?? '';
  }
  reasoning += response.message?.tool_plan ?? '';
  const toolCalls: ToolCall[] = (response.message?.tool_calls ?? []).map((call) => ({
    id: call.id ?? '',
    name: call.function?.name ?? '',
    arguments: call.function?.arguments || '{}',
  }));
  return {
    id: response.id ?? null,
    model: null,
    text,
    toolCalls,
    reasoning,
    reasoningBlocks: [],
    finishReason: mapCohereFinishReason(response.finish_reason),
    usage: mapCohereUsage(response.usage),
  };
}
