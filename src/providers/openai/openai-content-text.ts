// A message's or delta's `content` -> its text. OpenAI sends a string (or null); Mistral's
// reasoning models send an array of typed chunks, of which the `text` ones are the answer.
import type { OpenAIContentWire } from './openai-wire.ts';

export function openAIContentText(content: OpenAIContentWire): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) if (part?.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}
