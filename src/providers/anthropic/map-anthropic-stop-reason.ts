import type { FinishReason } from '../../core/types.ts';
import { claudeStopReasons, mapFinishReason } from '../shared/map-finish-reason.ts';

// Stop reasons as listed in the Messages API reference (`stop_reason`) and the "Handling stop
// reasons" guide. The raw value is always kept beside the unified one.
export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  return mapFinishReason(claudeStopReasons, stopReason);
}
