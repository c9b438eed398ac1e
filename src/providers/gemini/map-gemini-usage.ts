// Gemini usageMetadata -> normalised usage, following UsageMetadata in the Gemini API reference:
// promptTokenCount already includes cachedContentTokenCount; thoughtsTokenCount is reported
// beside candidatesTokenCount and billed as output; toolUsePromptTokenCount (prompts of built-in
// tools) is beside promptTokenCount and billed as input. Gemini has no cache-write counter.
import type { Usage } from '../../core/types.ts';
import type { GeminiUsageMetadata } from './gemini-wire-types.ts';

export function mapGeminiUsage(usage: GeminiUsageMetadata | undefined): Usage {
  const thoughts = usage?.thoughtsTokenCount ?? 0;
  return {
    inputTokens: (usage?.promptTokenCount ?? 0) + (usage?.toolUsePromptTokenCount ?? 0),
    outputTokens: (usage?.candidatesTokenCount ?? 0) + thoughts,
    cachedInputTokens: usage?.cachedContentTokenCount ?? 0,
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}
