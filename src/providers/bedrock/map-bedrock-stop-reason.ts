// Converse stopReason -> the unified finish reason, following the StopReason values of the
// Converse API reference. The raw value is kept beside the unified one.
import type { FinishReason, FinishReasonUnified } from '../../core/types.ts';

const unifiedByStopReason: Record<string, FinishReasonUnified> = {
  end_turn: 'STOP',
  stop_sequence: 'STOP',
  max_tokens: 'LENGTH',
  model_context_window_exceeded: 'LENGTH',
  tool_use: 'TOOL_CALLS',
  guardrail_intervened: 'CONTENT_FILTER',
  content_filtered: 'CONTENT_FILTER',
  malformed_model_output: 'ERROR',
  malformed_tool_use: 'ERROR',
};

export function mapBedrockStopReason(stopReason: string | null | undefined): FinishReason {
  const raw = stopReason ?? null;
  return { unified: (raw !== null && unifiedByStopReason[raw]) || 'OTHER', raw };
}
