import type { Usage } from './types.ts';

/** Integer micro-USD per 1M tokens. A null cache price falls back to the input price. */
export interface ModelPricing {
  input: bigint;
  output: bigint;
  cacheRead: bigint | null;
  /** Cache writes with the default (five-minute) lifetime. */
  cacheWrite: bigint | null;
  /** Cache writes with a one-hour lifetime; null or absent falls back to `cacheWrite`. */
  cacheWrite1h?: bigint | null;
}

/**
 * The cost of one request in micro-USD. Usage is normalised (see core/types.ts): cached reads and
 * cache writes are subsets of inputTokens, reasoning is a subset of outputTokens and billed as
 * output; one-hour cache writes are a subset of the writes, priced at their own rate. Each line is
 * multiplied exactly and the sum is divided once, rounding half up.
 */
export function priceUsage(usage: Usage, pricing: ModelPricing | null): bigint {
  if (!pricing) return 0n;
  const cached = BigInt(Math.max(0, usage.cachedInputTokens));
  const writtenTokens = Math.max(0, usage.cacheWriteTokens);
  const writtenForAnHour = Math.min(writtenTokens, Math.max(0, usage.cacheWrite1hTokens ?? 0));
  const uncached = BigInt(Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens));
  const output = BigInt(Math.max(0, usage.outputTokens));
  const cacheWrite = pricing.cacheWrite ?? pricing.input;
  const total =
    uncached * pricing.input +
    cached * (pricing.cacheRead ?? pricing.input) +
    BigInt(writtenTokens - writtenForAnHour) * cacheWrite +
    BigInt(writtenForAnHour) * (pricing.cacheWrite1h ?? cacheWrite) +
    output * pricing.output;
  return (total + 500_000n) / 1_000_000n;
}

/** The most a request can cost: every prompt token uncached plus the full output allowance. */
export function maximumCost(inputTokens: number, maxOutputTokens: number, pricing: ModelPricing | null): bigint {
  if (!pricing) return 0n;
  const rates = [pricing.input, pricing.cacheWrite ?? pricing.input, pricing.cacheWrite1h ?? pricing.cacheWrite ?? pricing.input];
  const inputRate = rates.reduce((highest, rate) => (rate > highest ? rate : highest));
  const total = BigInt(inputTokens) * inputRate + BigInt(maxOutputTokens) * pricing.output;
  return (total + 999_999n) / 1_000_000n;
}
