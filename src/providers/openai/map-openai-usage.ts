// Chat Completions `usage` -> normalised Usage. OpenAI's own convention already matches ours:
// prompt_tokens includes prompt_tokens_details.cached_tokens and completion_tokens includes
// completion_tokens_details.reasoning_tokens (OpenAI API reference, "The chat completion object").
import type { Usage } from '../../core/types.ts';
import type { OpenAIUsageWire } from './openai-wire.ts';

export interface UsageConvention {
  /** False for providers (xAI) whose completion_tokens leaves the reasoning tokens out. */
  completionTokensIncludeReasoning: boolean;
}

export function mapOpenAIUsage(usage: OpenAIUsageWire, convention: UsageConvention): Usage {
  const reasoningTokens = count(usage.completion_tokens_details?.reasoning_tokens);
  const completionTokens = count(usage.completion_tokens);
  return {
    inputTokens: count(usage.prompt_tokens),
    outputTokens: convention.completionTokensIncludeReasoning ? completionTokens : completionTokens + reasoningTokens,
    cachedInputTokens: count(usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens),
    // Only OpenRouter reports cache writes (prompt_tokens_details.cache_write_tokens).
    cacheWriteTokens: count(usage.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens,
  };
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
