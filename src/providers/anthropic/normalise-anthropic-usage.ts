import type { Usage } from '../../core/types.ts';
import type { AnthropicWireUsage } from './anthropic-wire.ts';

// Anthropic's "Prompt caching" guide: total input = input_tokens + cache_creation_input_tokens +
// cache_read_input_tokens, i.e. `input_tokens` counts only the tokens after the last cache
// breakpoint. Our Usage counts every prompt token in inputTokens, so the three are summed.
// output_tokens already includes thinking; output_tokens_details.thinking_tokens, when the model
// reports it, is the reasoning subset. `cache_creation` splits the writes by lifetime (5 minutes,
// 1 hour), which are priced differently ("Prompt caching", Pricing: 1.25x and 2x base input).
export function normaliseAnthropicUsage(usage: AnthropicWireUsage | undefined): Usage {
  const uncached = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const writtenForAnHour = usage?.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  return {
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: usage?.output_tokens_details?.thinking_tokens ?? 0,
    ...(writtenForAnHour > 0 ? { cacheWrite1hTokens: Math.min(writtenForAnHour, cacheWrite) } : {}),
  };
}

/**
 * Streams report usage twice: message_start carries the input side, message_delta the final
 * (cumulative) counts, sometimes with the input side repeated. Later non-null fields win.
 */
export function mergeAnthropicUsage(
  earlier: AnthropicWireUsage | undefined,
  later: AnthropicWireUsage | undefined,
): AnthropicWireUsage {
  const merged: AnthropicWireUsage = { ...earlier };
  if (later === undefined) return merged;
  for (const key of Object.keys(later) as Array<keyof AnthropicWireUsage>) {
    const value = later[key];
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}
