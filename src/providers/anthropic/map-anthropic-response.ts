import type { ChatResult } from '../../core/types.ts';
import { ReplyContent } from '../shared/reply-content.ts';
import type { AnthropicWireMessage } from './anthropic-wire.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';
import { normaliseAnthropicUsage } from './normalise-anthropic-usage.ts';

// A non-streaming Message (Messages API reference, response `content`) -> ChatResult. Text
// blocks are concatenated; tool_use input is re-serialised as the canonical JSON string;
// thinking and redacted_thinking blocks are kept, with signatures, to be sent back later.
export function mapAnthropicResponse(message: AnthropicWireMessage): ChatResult {
  const content = new ReplyContent();
  for (const block of message.content ?? []) {
    switch (block.type) {
      case 'text':
        content.text += block.text ?? '';
        break;
      case 'tool_use':
        content.toolCalls.push({ id: block.id ?? '', name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) });
        break;
      case 'thinking':
        content.thinking(block.thinking ?? '', block.signature);
        break;
      case 'redacted_thinking':
        content.redacted(block.data ?? '');
        break;
    }
  }
  return content.result({
    id: message.id ?? null,
    model: message.model ?? null,
    finishReason: mapAnthropicStopReason(message.stop_reason),
    usage: normaliseAnthropicUsage(message.usage),
  });
}
