// A completed outcome -> the Messages API `message` object: thinking blocks first (with their
// signatures), then text, then tool_use blocks, as Anthropic orders them.
import type { CompletionOutcome } from '../../core/completion-service.ts';
import type { ChatResult, ToolCall } from '../../core/types.ts';
import { convertUsageToAnthropic } from './convert-usage-to-anthropic.ts';
import { mapFinishReasonToAnthropic } from './map-finish-reason-to-anthropic.ts';

export function buildAnthropicMessage(outcome: CompletionOutcome) {
  const { result } = outcome;
  return {
    id: outcome.generationId,
    type: 'message' as const,
    role: 'assistant' as const,
    model: outcome.model,
    content: [
      ...thinkingBlocks(result),
      ...(result.text !== '' ? [{ type: 'text' as const, text: result.text }] : []),
      ...result.toolCalls.map((call) => ({ type: 'tool_use' as const, id: call.id, name: call.name, input: toolInput(call) })),
    ],
    stop_reason: mapFinishReasonToAnthropic(result.finishReason, result.toolCalls.length > 0),
    stop_sequence: null,
    usage: convertUsageToAnthropic(result.usage),
  };
}

/**
 * Signed blocks from an Anthropic upstream go out as they came. Reasoning from other providers
 * has no signature; it is shown as a thinking block with an empty one, which the next turn's
 * conversion drops before it could reach Anthropic unverified.
 */
function thinkingBlocks(result: Pick<ChatResult, 'reasoning' | 'reasoningBlocks'>) {
  if (result.reasoningBlocks.length > 0) {
    return result.reasoningBlocks.map((block) =>
      block.type === 'redacted'
        ? { type: 'redacted_thinking' as const, data: block.data }
        : { type: 'thinking' as const, thinking: block.text, signature: block.signature ?? '' },
    );
  }
  return result.reasoning === '' ? [] : [{ type: 'thinking' as const, thinking: result.reasoning, signature: '' }];
}

/** `tool_use.input` is an object. Arguments cut off by max_tokens are not JSON; they become {}. */
export function toolInput(call: ToolCall): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(call.arguments === '' ? '{}' : call.arguments);
    return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
