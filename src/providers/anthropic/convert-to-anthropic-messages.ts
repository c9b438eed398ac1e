import { InvalidRequestError } from '../../core/errors.ts';
import type { CacheControl, ContentPart, Message } from '../../core/types.ts';
import { convertClaudeStyleMessages, type BlockWriter, type ClaudeStyleConversation, type Turn } from '../shared/claude-style-turns.ts';

// Canonical messages -> the Messages API's `system` + `messages`, following the Messages API
// reference (content block types) and the "Tool use", "Vision", "Extended thinking" and
// "Prompt caching" guides.

export interface AnthropicCacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl;
}

export type AnthropicInputBlock =
  | AnthropicTextBlock
  | {
      type: 'image';
      source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
    }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export type AnthropicMessage = Turn<AnthropicInputBlock>;

export type AnthropicPrompt = ClaudeStyleConversation<AnthropicTextBlock, AnthropicInputBlock>;

/** Canonical messages -> `system` + `messages`, in the shared Claude-style order. */
export function convertToAnthropicMessages(messages: Message[]): AnthropicPrompt {
  return convertClaudeStyleMessages(messages, anthropicBlocks);
}

function textBlock(text: string, cacheControl: CacheControl | undefined): AnthropicTextBlock {
  return { type: 'text', text, ...(cacheControl === undefined ? {} : { cache_control: anthropicCacheControl(cacheControl) }) };
}

function anthropicCacheControl(cacheControl: CacheControl): AnthropicCacheControl {
  return { type: 'ephemeral', ...(cacheControl.ttl === undefined ? {} : { ttl: cacheControl.ttl }) };
}

function userBlock(part: ContentPart): AnthropicInputBlock {
  if (part.type === 'text') return textBlock(part.text, part.cacheControl);
  // Vision guide: a base64 source (media type + bytes) or a url source. A data: URL is unpacked
  // into a base64 source, since the url source takes only http(s).
  if (part.data !== undefined) {
    if (part.mediaType === undefined) throw new InvalidRequestError('An image given as base64 data needs a mediaType');
    return { type: 'image', source: { type: 'base64', media_type: part.mediaType, data: part.data } };
  }
  if (part.url === undefined) throw new InvalidRequestError('An image needs a url or data');
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (dataUrl !== null) {
    return { type: 'image', source: { type: 'base64', media_type: dataUrl[1]!, data: dataUrl[2]! } };
  }
  return { type: 'image', source: { type: 'url', url: part.url } };
}

const anthropicBlocks: BlockWriter<AnthropicTextBlock, AnthropicInputBlock> = {
  system: (message) => [textBlock(message.content, message.cacheControl)],
  user: (part) => [userBlock(part)],
  toolResult: (message) => ({
    type: 'tool_result',
    tool_use_id: message.toolCallId,
    content: message.content,
    ...(message.isError === true ? { is_error: true } : {}),
  }),
  // Extended-thinking guide: thinking blocks go back unmodified, with their signature.
  redacted: (data) => ({ type: 'redacted_thinking', data }),
  thinking: (thinking, signature) => ({ type: 'thinking', thinking, signature }),
  text: (text) => ({ type: 'text', text }),
  toolUse: (call, input) => ({ type: 'tool_use', id: call.id, name: call.name, input }),
};
