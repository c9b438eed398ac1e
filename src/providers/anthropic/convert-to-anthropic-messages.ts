import { InvalidRequestError } from '../../core/errors.ts';
import type { CacheControl, ContentPart, Message, ReasoningBlock, ToolCall } from '../../core/types.ts';
import { parseToolArguments } from '../shared/parse-tool-arguments.ts';

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

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicInputBlock[];
}

export interface AnthropicPrompt {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * System messages, wherever they are, become top-level `system` text blocks in order. Tool
 * results travel as `tool_result` blocks in a user turn; consecutive turns of one role are merged
 * because the API wants user and assistant to alternate.
 */
export function convertToAnthropicMessages(messages: Message[]): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  const append = (role: AnthropicMessage['role'], content: AnthropicInputBlock[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last !== undefined && last.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system.push(textBlock(message.content, message.cacheControl));
        break;
      case 'user':
        append('user', message.content.map(userBlock));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message.content, message.toolCalls, message.reasoning));
        break;
      case 'tool':
        append('user', [
          {
            type: 'tool_result',
            tool_use_id: message.toolCallId,
            content: message.content,
            ...(message.isError === true ? { is_error: true } : {}),
          },
        ]);
        break;
    }
  }
  return { system, messages: turns };
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

/**
 * Extended-thinking guide: thinking blocks go back unmodified, with their signature, before the
 * text and tool_use blocks of the same turn. A thinking block without a signature (e.g. reasoning
 * another provider produced) cannot be verified by Anthropic and is left out.
 */
function assistantBlocks(
  content: string | null,
  toolCalls: ToolCall[] | undefined,
  reasoning: ReasoningBlock[] | undefined,
): AnthropicInputBlock[] {
  const blocks: AnthropicInputBlock[] = [];
  for (const block of reasoning ?? []) {
    if (block.type === 'redacted') blocks.push({ type: 'redacted_thinking', data: block.data });
    else if (block.signature !== undefined) blocks.push({ type: 'thinking', thinking: block.text, signature: block.signature });
  }
  if (content !== null && content !== '') blocks.push({ type: 'text', text: content });
  for (const call of toolCalls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseToolArguments(call) });
  }
  return blocks;
}
