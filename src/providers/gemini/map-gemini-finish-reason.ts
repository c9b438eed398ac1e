// Gemini Candidate.finishReason and PromptFeedback.blockReason -> the unified finish reason,
// following the FinishReason and BlockReason enums of the Gemini API reference.
import type { FinishReason } from '../../core/types.ts';
import { mapFinishReason, type FinishReasonTable } from '../shared/map-finish-reason.ts';

const unifiedByFinishReason: FinishReasonTable = {
  STOP: 'STOP',
  MAX_TOKENS: 'LENGTH',
  SAFETY: 'CONTENT_FILTER',
  RECITATION: 'CONTENT_FILTER',
  BLOCKLIST: 'CONTENT_FILTER',
  PROHIBITED_CONTENT: 'CONTENT_FILTER',
  SPII: 'CONTENT_FILTER',
  IMAGE_SAFETY: 'CONTENT_FILTER',
  IMAGE_PROHIBITED_CONTENT: 'CONTENT_FILTER',
  IMAGE_RECITATION: 'CONTENT_FILTER',
  MALFORMED_FUNCTION_CALL: 'ERROR',
  UNEXPECTED_TOOL_CALL: 'ERROR',
};

/** Gemini ends a turn that calls functions with STOP; the calls make it TOOL_CALLS. */
export function mapGeminiFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  const finish = mapFinishReason(unifiedByFinishReason, raw);
  return finish.unified === 'STOP' && hasToolCalls ? { ...finish, unified: 'TOOL_CALLS' } : finish;
}

/** A prompt blocked before generation comes back with promptFeedback.blockReason and no candidates. */
export function mapGeminiBlockReason(blockReason: string): FinishReason {
  return { unified: 'CONTENT_FILTER', raw: blockReason };
}
