import type { ChatResult, ReasoningBlock, ToolCall } from '../../core/types.ts';
import type { AnthropicWireMessage } from './anthropic-wire.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';
import { normaliseAnthropicUsage } from './normalise-anthropic-usage.ts';

// A non-streaming Message (Messages API reference, response `content`) -> ChatResult. Text
// blocks are concatenated; tool_use input is re-serialised as the canonical JSON string;
// thinking and redacted_thinking blocks are kept, with signatures, to be sent back later.
export function mapAnthropicResponse(message: AnthropicWireMessage): ChatResult {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const reasoningBlocks: ReasoningBlock[] = [];
  for (const block of message.content ?? []) {
    switch (block.type) {
      case 'text':
        text += block.text ?? '';
        break;
      case 'tool_use':
        toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
        break;
      case 'thinking':
        reasoning += block.thinking ?? '';
        reasoningBlocks.push({
          type: 'thinking',
          text: block.thinking ?? '',
          ...(block.signature === undefined ? {} : { signature: block.signature }),
        });
        break;
      case 'redacted_thinking':
        reasoningBlocks.push({ type: 'redacted', data: block.data ?? '' });
        break;
    }
  }
  return {
    id: message.id ?? null,
    model: message.model ?? null,
    text,
    toolCalls,
    reasoning,
    reasoningBlocks,
    finishReason: mapAnthropicStopReason(message.stop_reason),
    usage: normaliseAnthropicUsage(message.usage),
  };
}
