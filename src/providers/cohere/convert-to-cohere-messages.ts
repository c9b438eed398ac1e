// Canonical messages -> Cohere v2 `messages`, following the Chat API reference (SystemMessage,
// UserMessage, AssistantMessage, ToolMessage) and the tool-use and image-input guides.
import { InvalidRequestError } from '../../core/errors.ts';
import type { ContentPart, Message } from '../../core/types.ts';
import type { CohereMessage, CohereUserContent } from './cohere-wire.ts';

/**
 * Cohere takes the conversation as one list in which system messages may sit anywhere, so order
 * is kept as given. Reasoning is not sent back: Cohere's thinking carries no signature and the
 * API does not ask for it on later turns. Tool results have no error flag; their content says so.
 */
export function convertToCohereMessages(messages: Message[]): CohereMessage[] {
  return messages.map((message): CohereMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return { role: 'user', content: userContent(message.content) };
      case 'assistant':
        return {
          role: 'assistant',
          ...(message.content !== null && message.content !== '' ? { content: message.content } : {}),
          ...(message.toolCalls !== undefined && message.toolCalls.length > 0
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: call.arguments.trim() === '' ? '{}' : call.arguments },
                })),
              }
            : {}),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
  });
}

/** A text-only message is sent as a plain string, the form the docs use throughout. */
function userContent(parts: ContentPart[]): string | CohereUserContent {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return parts.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    // ImageUrl.url takes a web URL or a base64 data URI.
    const url = part.data !== undefined ? `data:${part.mediaType ?? 'image/jpeg'};base64,${part.data}` : part.url;
    if (url === undefined) throw new InvalidRequestError('An image needs a url or data');
    return { type: 'image_url', image_url: { url, ...(part.detail === undefined ? {} : { detail: part.detail }) } };
  });
}
