// Cohere usage -> normalised usage.
//
// Cohere reports two counts: `billed_units` and `tokens`. Its "How does Cohere's pricing work?"
// page says billed units are "the tokens that you're actually billed for", while `tokens` also
// counts tokens Cohere adds under the hood (prompt templates, special tokens) that the caller is
// not charged for. The gateway meters what the caller pays, so usage comes from `billed_units`;
// `tokens` is the fallback only when a response carries no billed units (e.g. private
// deployments). `cached_tokens` ("prompt tokens that hit the inference cache") is a subset of the
// input and is capped at it. Cohere reports no reasoning-token count and no cache writes.
import type { Usage } from '../../core/types.ts';
import type { CohereWireUsage } from './cohere-wire.ts';

export function mapCohereUsage(usage: CohereWireUsage | null | undefined): Usage {
  const billed = usage?.billed_units;
  const counted = billed !== undefined && billed !== null ? billed : usage?.tokens;
  const inputTokens = counted?.input_tokens ?? 0;
  return {
    inputTokens,
    outputTokens: counted?.output_tokens ?? 0,
    cachedInputTokens: Math.min(usage?.cached_tokens ?? 0, inputTokens),
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}
