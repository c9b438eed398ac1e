import { MICRO_PER_USD } from '../../core/money.ts';
import type { Usage } from '../../core/types.ts';

/** Core usage + micro-USD cost -> Chat Completions usage with OpenRouter's `cost` in USD. */
export function convertUsageToOpenAI(usage: Usage, cost: bigint) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    cost: microToUsdNumber(cost),
  };
}

/** OpenRouter reports cost as a JSON number of USD; micro-USD fits a double exactly up to $9e9. */
export function microToUsdNumber(micro: bigint): number {
  return Number(micro) / Number(MICRO_PER_USD);
}
