// The rules a chat request's parameters follow whichever edge it came through (GraphQL, the
// OpenAI and Anthropic REST endpoints, the Responses API): the ranges OpenAI documents for its
// sampling parameters (temperature in [0, 2], top_p in [0, 1]), a positive output maximum, and
// tool calls whose arguments are JSON (providers that take them as a JSON value would refuse
// them later, after a reservation and an attempt; OpenAI-compatible ones would pass them on).
import { InvalidRequestError } from '../errors.ts';
import type { CompletionParameters } from './request-types.ts';

/** Throws INVALID_REQUEST naming the first parameter that breaks a rule. */
export function validateChatParameters(parameters: CompletionParameters): void {
  const { temperature, topP, maxOutputTokens } = parameters;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) invalid('temperature: must be between 0 and 2');
  if (topP !== undefined && !(topP >= 0 && topP <= 1)) invalid('topP: must be between 0 and 1');
  if (maxOutputTokens !== undefined && !(Number.isInteger(maxOutputTokens) && maxOutputTokens >= 1)) invalid('maxOutputTokens: must be a whole number of at least 1');
  for (const [messageIndex, message] of parameters.messages.entries()) {
    if (message.role !== 'assistant' || message.toolCalls === undefined) continue;
    for (const [callIndex, call] of message.toolCalls.entries()) {
      if (!isJsonOrEmpty(call.arguments)) invalid(`messages[${messageIndex}].toolCalls[${callIndex}].arguments: not valid JSON (tool call "${call.id}")`);
    }
  }
}

/** Empty arguments are a call without any (as providers send them). */
function isJsonOrEmpty(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function invalid(message: string): never {
  throw new InvalidRequestError(message);
}
