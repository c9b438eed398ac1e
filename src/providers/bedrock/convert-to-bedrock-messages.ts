// Canonical messages -> Converse `system` + `messages`, following the Converse API reference
// (Message, ContentBlock, ImageBlock, ToolUseBlock, ToolResultBlock, ReasoningContentBlock,
// CachePointBlock) and the tool-use and prompt-caching guides.
import { InvalidRequestError } from '../../core/errors.ts';
import type { ContentPart, Message, ReasoningBlock, ToolCall } from '../../core/types.ts';
import { parseToolArguments } from '../shared/parse-tool-arguments.ts';
import type { BedrockContentBlock, BedrockImageFormat, BedrockMessage, BedrockSystemBlock } from './bedrock-wire.ts';

export interface BedrockConversation {
  system: BedrockSystemBlock[];
  messages: BedrockMessage[];
}

const cachePoint = { cachePoint: { type: 'default' as const } };

/**
 * System messages, wherever they are, become `system` blocks in order. Tool results travel as
 * toolResult blocks in a user turn, and consecutive turns of one role are merged because Converse
 * wants user and assistant to alternate. A cacheControl mark becomes a cachePoint after its block.
 */
export function convertToBedrockMessages(messages: Message[]): BedrockConversation {
  const system: BedrockSystemBlock[] = [];
  const turns: BedrockMessage[] = [];
  const append = (role: BedrockMessage['role'], content: BedrockContentBlock[]) => {
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system.push({ text: message.content }, ...(message.cacheControl === undefined ? [] : [cachePoint]));
        break;
      case 'user':
        append('user', message.content.flatMap(userBlocks));
        break;
      case 'assistant':
        append('assistant', assistantBlocks(message.content, message.toolCalls ?? [], message.reasoning ?? []));
        break;
      case 'tool':
        append('user', [
          {
            toolResult: {
              toolUseId: message.toolCallId,
              content: [{ text: message.content }],
              ...(message.isError === true ? { status: 'error' as const } : {}),
            },
          },
        ]);
        break;
    }
  }
  return { system, messages: turns };
}

function userBlocks(part: ContentPart): BedrockContentBlock[] {
  if (part.type === 'text') return [{ text: part.text }, ...(part.cacheControl === undefined ? [] : [cachePoint])];
  if (part.data !== undefined) return [{ image: { format: imageFormat(part.mediaType), source: { bytes: part.data } } }];
  const dataUrl = part.url === undefined ? null : /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (dataUrl !== null) return [{ image: { format: imageFormat(dataUrl[1]), source: { bytes: dataUrl[2]! } } }];
  // ImageSource takes bytes or an S3 location; Bedrock does not fetch web URLs.
  throw new InvalidRequestError('Bedrock takes images as base64 data, not URLs');
}

function imageFormat(mediaType: string | undefined): BedrockImageFormat {
  const format = mediaType?.replace(/^image\//, '').replace(/^jpg$/, 'jpeg');
  if (format === 'png' || format === 'jpeg' || format === 'gif' || format === 'webp') return format;
  throw new InvalidRequestError(`Bedrock takes png, jpeg, gif or webp images, not ${mediaType ?? 'an image without a media type'}`);
}

/**
 * Reasoning goes back first, unmodified and with its signature, as Anthropic's extended-thinking
 * guide asks (Converse passes it through); reasoning without a signature cannot be verified and is
 * left out. Then the text, then the tool calls.
 */
function assistantBlocks(content: string | null, toolCalls: ToolCall[], reasoning: ReasoningBlock[]): BedrockContentBlock[] {
  const blocks: BedrockContentBlock[] = [];
  for (const block of reasoning) {
    if (block.type === 'redacted') blocks.push({ reasoningContent: { redactedContent: block.data } });
    else if (block.signature !== undefined) blocks.push({ reasoningContent: { reasoningText: { text: block.text, signature: block.signature } } });
  }
  if (content !== null && content !== '') blocks.push({ text: content });
  for (const call of toolCalls) blocks.push({ toolUse: { toolUseId: call.id, name: call.name, input: parseToolArguments(call) } });
  return blocks;
}
