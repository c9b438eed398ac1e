// Every protocol maps its finish reasons with a table of cases; the raw value is always kept
// beside the unified one, and a value the table does not know is OTHER.
import type { FinishReason, FinishReasonUnified } from '../../core/types.ts';

export type FinishReasonTable = Readonly<Record<string, FinishReasonUnified>>;

export function mapFinishReason(table: FinishReasonTable, raw: string | null | undefined): FinishReason {
  if (raw === null || raw === undefined) return { unified: 'OTHER', raw: null };
  // Own keys only: "constructor" is not a finish reason.
  return { unified: Object.hasOwn(table, raw) ? table[raw]! : 'OTHER', raw };
}

/**
 * Claude's stop reasons, as the Messages API reference (`stop_reason`) lists them; Bedrock's
 * Converse `stopReason` uses the same names and adds its own.
 */
export const claudeStopReasons: FinishReasonTable = {
  end_turn: 'STOP',
  stop_sequence: 'STOP',
  max_tokens: 'LENGTH',
  model_context_window_exceeded: 'LENGTH',
  tool_use: 'TOOL_CALLS',
  refusal: 'CONTENT_FILTER',
  // A server-tool loop paused; the caller may send the turn back to continue it.
  pause_turn: 'OTHER',
};
