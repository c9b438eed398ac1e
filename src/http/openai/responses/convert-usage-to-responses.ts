import type { Usage } from '../../../core/types.ts';
import { microToUsdNumber } from '../convert-usage-to-openai.ts';

/** Core usage + micro-USD cost -> Responses usage, with the gateway's `cost` in USD as on chat completions. */
export function convertUsageToResponses(usage: Usage, cost: bigint) {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
    cost: microToUsdNumber(cost),
  };
}
