import type { Usage } from './types.ts';

/** Integer micro-USD per 1M tokens. A null cache price falls back to the input price. */
export interface ModelPricing {
  input: bigint;
  output: bigint;
  cacheRead: bigint | null;
  cacheWrite: bigint | null;
}

/**
 * The cost of one request in micro-USD. Usage is normalised (see core/types.ts): cached reads and
 * cache writes are subsets of inputTokens, reasoning is a subset of outputTokens and billed as
 * output. Each line is multiplied exactly and the sum is divided once, rounding half up.
 */
export function priceUsage(usage: Usage, pricing: ModelPricing | null): bigint {
  if (!pricing) return 0n;
  const cached = BigInt(Math.max(0, usage.cachedInputTokens));
  const written = BigInt(Math.max(0, usage.cacheWriteTokens));
  const uncached = BigInt(Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens));
  const output = BigInt(Math.max(0, usage.outputTokens));
  const total =
    uncached * pricing.input +
    cached * (pricing.cacheRead ?? pricing.input) +
    written * (pricing.cacheWrite ?? pricing.input) +
    output * pricing.output;
  return (total + 500_000n) / 1_000_000n;
}

/** The most a request can cost: every prompt token uncached plus the full output allowance. */
export function maximumCost(inputTokens: number, maxOutputTokens: number, pricing: ModelPricing | null): bigint {
  if (!pricing) return 0n;
  const cacheWrite = pricing.cacheWrite ?? pricing.input;
  const inputRate = cacheWrite > pricing.input ? cacheWrite : pricing.input;
  const total = BigInt(inputTokens) * inputRate + BigInt(maxOutputTokens) * pricing.output;
  return (total + 999_999n) / 1_000_000n;
}
