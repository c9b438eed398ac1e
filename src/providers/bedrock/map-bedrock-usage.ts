// Converse TokenUsage -> normalised usage. As with Anthropic's own API, `inputTokens` counts only
// the prompt tokens that were neither read from nor written to the cache; cacheReadInputTokens and
// cacheWriteInputTokens are reported beside it (totalTokens is the sum of all four counts). Our
// Usage counts every prompt token in inputTokens, so the three are summed. Converse reports no
// reasoning-token count: reasoning is inside outputTokens. `cacheDetails` splits the writes by
// lifetime (CacheDetail: ttl "5m" or "1h"); one-hour writes are priced apart (Claude models).
import type { Usage } from '../../core/types.ts';
import type { BedrockWireUsage } from './bedrock-wire.ts';

export function mapBedrockUsage(usage: BedrockWireUsage | null | undefined): Usage {
  const uncached = usage?.inputTokens ?? 0;
  const cacheRead = usage?.cacheReadInputTokens ?? 0;
  const cacheWrite = usage?.cacheWriteInputTokens ?? 0;
  const writtenForAnHour = (usage?.cacheDetails ?? []).reduce((sum, detail) => sum + (detail.ttl === '1h' ? (detail.inputTokens ?? 0) : 0), 0);
  return {
    inputTokens: uncached + cacheRead + cacheWrite,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
    ...(writtenForAnHour > 0 ? { cacheWrite1hTokens: Math.min(writtenForAnHour, cacheWrite) } : {}),
  };
}
