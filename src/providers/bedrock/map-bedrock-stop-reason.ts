// Converse stopReason -> the unified finish reason, following the StopReason values of the
// Converse API reference: Claude's names plus Bedrock's own. The raw value is kept.
import type { FinishReason } from '../../core/types.ts';
import { claudeStopReasons, mapFinishReason, type FinishReasonTable } from '../shared/map-finish-reason.ts';

const unifiedByStopReason: FinishReasonTable = {
  ...claudeStopReasons,
  guardrail_intervened: 'CONTENT_FILTER',
  content_filtered: 'CONTENT_FILTER',
  malformed_model_output: 'ERROR',
  malformed_tool_use: 'ERROR',
};

export function mapBedrockStopReason(stopReason: string | null | undefined): FinishReason {
  return mapFinishReason(unifiedByStopReason, stopReason);
}
