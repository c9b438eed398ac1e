// Cohere ChatFinishReason -> the unified finish reason. The API reference and the SDKs' generated
// types list COMPLETE, STOP_SEQUENCE, MAX_TOKENS, TOOL_CALL and ERROR; TIMEOUT (a generation cut off
// server-side) is not in them but is mapped like ERROR should it arrive. The raw value is kept.
import type { FinishReason } from '../../core/types.ts';
import { mapFinishReason, type FinishReasonTable } from '../shared/map-finish-reason.ts';

const unifiedByFinishReason: FinishReasonTable = {
  COMPLETE: 'STOP',
  STOP_SEQUENCE: 'STOP',
  MAX_TOKENS: 'LENGTH',
  TOOL_CALL: 'TOOL_CALLS',
  ERROR: 'ERROR',
  TIMEOUT: 'ERROR',
};

export function mapCohereFinishReason(raw: string | null | undefined): FinishReason {
  return mapFinishReason(unifiedByFinishReason, raw);
}
