// Canonical messages -> Chat Completions `messages` (OpenAI API reference, "Create chat
// completion" > messages: system, user content parts text / image_url, assistant tool_calls,
// tool messages with tool_call_id).
import { InvalidRequestError } from '../../core/errors.ts';
import type { ContentPart, Message } from '../../core/types.ts';
import type { OpenAIContentPart, OpenAIMessageParam } from './openai-wire.ts';

export function convertToOpenAIMessages(messages: Message[]): OpenAIMessageParam[] {
  return messages.map(convertMessage);
}

function convertMessage(message: Message): OpenAIMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: convertUserContent(message.content) };
    case 'assistant': {
      const toolCalls = message.toolCalls ?? [];
      // Reasoning is not sent back: DeepSeek rejects `reasoning_content` in input messages and
      // OpenAI's Chat Completions has no field for it.
      if (toolCalls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/** A lone text part goes as a plain string: several compatible servers take only strings for text-only models. */
function convertUserContent(parts: ContentPart[]): string | OpenAIContentPart[] {
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.type === 'text') return only.text;
  return parts.map(convertPart);
}

function convertPart(part: ContentPart): OpenAIContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text };
  const url = imageUrl(part);
  return { type: 'image_url', image_url: part.detail === undefined ? { url } : { url, detail: part.detail } };
}

function imageUrl(part: Extract<ContentPart, { type: 'image' }>): string {
  if (part.url !== undefined) return part.url;
  if (part.data !== undefined) return `data:${part.mediaType ?? 'image/jpeg'};base64,${part.data}`;
  throw new InvalidRequestError('An image part needs a url or base64 data');
}
