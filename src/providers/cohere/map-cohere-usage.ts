// Cohere usage -> normalised usage.
//
// Cohere reports two counts: `billed_units` and `tokens`. Its "How does Cohere's pricing work?"
// page says billed units are "the tokens that you're actually billed for", while `tokens` also
// counts tokens Cohere adds under the hood (prompt templates, special tokens) that the caller is
// not charged for. The gateway meters what the caller pays, so usage comes from `billed_units`;
// `tokens` is the fallback only when a response carries no billed units (e.g. private
// deployments). `cached_tokens` ("prompt tokens that hit the inference cache") counts on the
// `tokens` base: real responses report more cached tokens than billed input (1504 cached, 119
// billed; 992 cached, 39 billed), and billed units carry no cache-read line, so billed input is
// priced as uncached input. Only with the `tokens` fallback is `cached_tokens` a subset of the
// input (capped at it). Cohere reports no reasoning-token count and no cache writes.
import type { Usage } from '../../core/types.ts';
import type { CohereWireUsage } from './cohere-wire.ts';

export function mapCohereUsage(usage: CohereWireUsage | null | undefined): Usage {
  const billed = usage?.billed_units;
  const isBilled = billed !== undefined && billed !== null;
  const counted = isBilled ? billed : usage?.tokens;
  const inputTokens = counted?.input_tokens ?? 0;
  return {
    inputTokens,
    outputTokens: counted?.output_tokens ?? 0,
    cachedInputTokens: isBilled ? 0 : Math.min(usage?.cached_tokens ?? 0, inputTokens),
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}
