import type { Usage } from '../../core/types.ts';

/** Core usage -> Anthropic's, where input_tokens excludes the tokens read from or written to the cache. */
export function convertUsageToAnthropic(usage: Usage) {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
  };
}
