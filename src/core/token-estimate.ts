import type { ChatRequest } from './types.ts';

/**
 * A fast, provider-neutral estimate of a request's prompt tokens (about 4 characters per token,
 * plus a small overhead per message and a fixed cost per image). Used for context-window checks,
 * budget reservations and the mock provider, never for billing: billing uses the provider's count.
 */
export function estimatePromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let characters = 0;
  let tokens = 0;
  for (const message of request.messages) {
    tokens += 4;
    if (message.role === 'user') {
      for (const part of message.content) {
        if (part.type === 'text') characters += part.text.length;
        else tokens += 765;
      }
    } else if (message.role === 'assistant') {
      characters += message.content?.length ?? 0;
      for (const call of message.toolCalls ?? []) characters += call.name.length + call.arguments.length;
    } else {
      characters += message.content.length;
    }
  }
  for (const tool of request.tools ?? []) characters += JSON.stringify(tool).length;
  return tokens + Math.ceil(characters / 4);
}
