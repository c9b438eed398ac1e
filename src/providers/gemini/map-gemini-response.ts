// A whole GenerateContentResponse (models.generateContent) -> ChatResult, following the Gemini API
// reference (GenerateContentResponse, Candidate, Part) and the thought-signatures guide.
import type { ChatResult, ReasoningBlock, ToolCall } from '../../core/types.ts';
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
  let text = '';
  let reasoning = '';
  let signature: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.functionCall !== undefined) {
      toolCalls.push({
        id: part.functionCall.id ?? toolCallId(toolCalls.length),
        name: part.functionCall.name ?? '',
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    } else if (part.text !== undefined) {
      if (part.thought === true) reasoning += part.text;
      else text += part.text;
    }
    signature ??= part.thoughtSignature;
  }
  const blockReason = response.promptFeedback?.blockReason;
  const reasoningBlocks: ReasoningBlock[] = signature === undefined ? [] : [{ type: 'thinking', text: reasoning, signature }];
  return {
    id: response.responseId ?? null,
    model: response.modelVersion ?? null,
    text,
    toolCalls,
    reasoning,
    reasoningBlocks,
    finishReason:
      candidate === undefined && blockReason !== undefined
        ? mapGeminiBlockReason(blockReason)
        : mapGeminiFinishReason(candidate?.finishReason, toolCalls.length > 0),
    usage: mapGeminiUsage(response.usageMetadata),
  };
}
