// A message's or delta's `content` -> its answer text and its reasoning. OpenAI sends a string
// (or null); Mistral's reasoning models (magistral) send an array of typed chunks: `text` chunks
// are the answer, a `thinking` chunk holds the reasoning trace as its own list of `text` chunks
// (Mistral docs, "Reasoning": ThinkChunk { type: "thinking", thinking: [TextChunk] }).
import type { OpenAIContentWire } from './openai-wire.ts';

export function openAIContentText(content: OpenAIContentWire): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  let text = '';
  for (const part of content) if (part?.type === 'text' && typeof part.text === 'string') text += part.text;
  return text;
}

export function openAIContentReasoning(content: OpenAIContentWire): string {
  if (!Array.isArray(content)) return '';
  let reasoning = '';
  for (const part of content) {
    if (part?.type !== 'thinking' || !Array.isArray(part.thinking)) continue;
    for (const piece of part.thinking) if (piece?.type === 'text' && typeof piece.text === 'string') reasoning += piece.text;
  }
  return reasoning;
}
