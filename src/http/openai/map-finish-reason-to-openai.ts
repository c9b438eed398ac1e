import type { FinishReason } from '../../core/types.ts';

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

const byUnified: Record<FinishReason['unified'], OpenAIFinishReason> = {
  STOP: 'stop',
  LENGTH: 'length',
  TOOL_CALLS: 'tool_calls',
  CONTENT_FILTER: 'content_filter',
  // OpenRouter's value for a generation that ended in an upstream error.
  ERROR: 'error',
  OTHER: 'stop',
};

/**
 * Some upstreams (Gemini) finish with a plain stop after calling tools; clients loop on
 * `tool_calls`, so a response that holds calls says so.
 */
export function mapFinishReasonToOpenAI(finishReason: FinishReason, hasToolCalls: boolean): OpenAIFinishReason {
  if (hasToolCalls && finishReason.unified === 'STOP') return 'tool_calls';
  return byUnified[finishReason.unified];
}
