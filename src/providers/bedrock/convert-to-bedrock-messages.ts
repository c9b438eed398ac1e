// Canonical messages -> Converse `system` + `messages`, following the Converse API reference
// (Message, ContentBlock, ImageBlock, ToolUseBlock, ToolResultBlock, ReasoningContentBlock,
// CachePointBlock) and the tool-use and prompt-caching guides.
import { InvalidRequestError } from '../../core/errors.ts';
import type { ContentPart, Message } from '../../core/types.ts';
import { convertClaudeStyleMessages, type BlockWriter, type ClaudeStyleConversation } from '../shared/claude-style-turns.ts';
import type { BedrockContentBlock, BedrockImageFormat, BedrockSystemBlock } from './bedrock-wire.ts';

export type BedrockConversation = ClaudeStyleConversation<BedrockSystemBlock, BedrockContentBlock>;

const cachePoint = { cachePoint: { type: 'default' as const } };

/** A cacheControl mark becomes a cachePoint after its block. */
export function convertToBedrockMessages(messages: Message[]): BedrockConversation {
  return convertClaudeStyleMessages(messages, bedrockBlocks);
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

const bedrockBlocks: BlockWriter<BedrockSystemBlock, BedrockContentBlock> = {
  system: (message) => [{ text: message.content }, ...(message.cacheControl === undefined ? [] : [cachePoint])],
  user: userBlocks,
  toolResult: (message) => ({
    toolResult: {
      toolUseId: message.toolCallId,
      content: [{ text: message.content }],
      ...(message.isError === true ? { status: 'error' as const } : {}),
    },
  }),
  redacted: (redactedContent) => ({ reasoningContent: { redactedContent } }),
  thinking: (text, signature) => ({ reasoningContent: { reasoningText: { text, signature } } }),
  text: (text) => ({ text }),
  toolUse: (call, input) => ({ toolUse: { toolUseId: call.id, name: call.name, input } }),
};
