// A whole GenerateContentResponse (models.generateContent) -> ChatResult, following the Gemini API
// reference (GenerateContentResponse, Candidate, Part) and the thought-signatures guide.
import type { ChatResult } from '../../core/types.ts';
import { ReplyContent } from '../shared/reply-content.ts';
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason.ts';
import { mapGeminiUsage } from './map-gemini-usage.ts';
import type { GeminiGenerateContentResponse } from './gemini-wire-types.ts';

/**
 * Reads the first candidate (the adapter never asks for more). Thought-summary parts become
 * `reasoning`; the first thought signature is kept as a thinking block so a later turn can send
 * it back. Gemini sends function calls whole and, before Gemini 3, without ids, so missing ids
 * come from `toolCallId`.
 */
export function mapGeminiResponse(response: GeminiGenerateContentResponse, toolCallId: (index: number) => string): ChatResult {
  const candidate = response.candidates?.[0];
  const content = new ReplyContent();
  let signature: string | undefined;
  for (const part of candidate?.content?.parts ?? []) {
    if (part.functionCall !== undefined) {
      content.toolCalls.push({
        id: part.functionCall.id ?? toolCallId(content.toolCalls.length),
        name: part.functionCall.name ?? '',
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    } else if (part.text !== undefined) {
      if (part.thought === true) content.reasoning += part.text;
      else content.text += part.text;
    }
    signature ??= part.thoughtSignature;
  }
  if (signature !== undefined) content.reasoningBlocks.push({ type: 'thinking', text: content.reasoning, signature });
  const blockReason = response.promptFeedback?.blockReason;
  return content.result({
    id: response.responseId ?? null,
    model: response.modelVersion ?? null,
    finishReason:
      candidate === undefined && blockReason !== undefined
        ? mapGeminiBlockReason(blockReason)
        : mapGeminiFinishReason(candidate?.finishReason, content.toolCalls.length > 0),
    usage: mapGeminiUsage(response.usageMetadata),
  });
}
