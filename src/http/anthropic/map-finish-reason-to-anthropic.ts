import type { FinishReason } from '../../core/types.ts';

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal' | 'pause_turn';

const byUnified: Record<FinishReason['unified'], AnthropicStopReason> = {
  STOP: 'end_turn',
  LENGTH: 'max_tokens',
  TOOL_CALLS: 'tool_use',
  CONTENT_FILTER: 'refusal',
  ERROR: 'end_turn',
  OTHER: 'end_turn',
};

/** Anthropic's own values the unified reason folds away, kept when an Anthropic upstream sent them. */
const keptRaw: ReadonlySet<string> = new Set(['stop_sequence', 'pause_turn']);

/** Clients loop on `tool_use`; an upstream that stops plainly after calling tools (Gemini) still called them. */
export function mapFinishReasonToAnthropic(finishReason: FinishReason, hasToolCalls: boolean): AnthropicStopReason {
  if (hasToolCalls && finishReason.unified === 'STOP') return 'tool_use';
  if (finishReason.raw !== null && keptRaw.has(finishReason.raw)) return finishReason.raw as AnthropicStopReason;
  return byUnified[finishReason.unified];
}
