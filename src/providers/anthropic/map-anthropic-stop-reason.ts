import type { FinishReason, FinishReasonUnified } from '../../core/types.ts';

// Stop reasons as listed in the Messages API reference (`stop_reason`) and the "Handling stop
// reasons" guide. The raw value is always kept beside the unified one.
const unifiedByStopReason: Record<string, FinishReasonUnified> = {
  end_turn: 'STOP',
  stop_sequence: 'STOP',
  max_tokens: 'LENGTH',
  model_context_window_exceeded: 'LENGTH',
  tool_use: 'TOOL_CALLS',
  refusal: 'CONTENT_FILTER',
  // A server-tool loop paused; the caller may send the turn back to continue it.
  pause_turn: 'OTHER',
};

export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  const raw = stopReason ?? null;
  return { unified: (raw !== null && unifiedByStopReason[raw]) || 'OTHER', raw };
}
