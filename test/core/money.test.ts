import { describe, expect, it } from 'vitest';
import { formatMicroUsd, parseUsd, usdToMicro } from '../../src/core/money.ts';
import { maximumCost, priceUsage } from '../../src/core/pricing.ts';

describe('money', () => {
  it.each([
    [0.15, 150_000n],
    [3, 3_000_000n],
    [0.0375, 37_500n],
    [0.000001, 1n],
    [15.5, 15_500_000n],
  ])('usdToMicro(%s) = %s', (usd, micro) => expect(usdToMicro(usd)).toBe(micro));

  it.each([
    [0n, '0'],
    [1n, '0.000001'],
    [1_500n, '0.0015'],
    [3_000_000n, '3'],
    [-250_000n, '-0.25'],
  ])('formatMicroUsd(%s) = %s', (micro, text) => {
    expect(formatMicroUsd(micro)).toBe(text);
    expect(parseUsd(text)).toBe(micro);
  });

  it('refuses more than 6 decimals', () => expect(() => parseUsd('0.0000001')).toThrow(RangeError));
});

describe('priceUsage', () => {
  const pricing = { input: usdToMicro(3), output: usdToMicro(15), cacheRead: usdToMicro(0.3), cacheWrite: usdToMicro(3.75) };
  const usage = (u: Partial<Record<'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens' | 'reasoningTokens', number>>) => ({
    inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...u,
  });

  it('prices uncached input, cached reads, cache writes and output separately', () => {
    // 1000 uncached * 3 + 2000 cached * 0.3 + 500 written * 3.75 + 400 out * 15 (USD per 1M)
    const cost = priceUsage(usage({ inputTokens: 3500, cachedInputTokens: 2000, cacheWriteTokens: 500, outputTokens: 400 }), pricing);
    expect(cost).toBe(3000n + 600n + 1875n + 6000n);
  });

  it('bills reasoning as output (it is part of outputTokens)', () => {
    expect(priceUsage(usage({ outputTokens: 1000, reasoningTokens: 800 }), pricing)).toBe(15_000n);
  });

  it('rounds half up once, on the total', () => {
    expect(priceUsage(usage({ inputTokens: 1 }), { input: 500_000n, output: 0n, cacheRead: null, cacheWrite: null })).toBe(1n);
    expect(priceUsage(usage({ inputTokens: 1 }), { input: 499_999n, output: 0n, cacheRead: null, cacheWrite: null })).toBe(0n);
  });

  it('falls back to the input price when the cache prices are unknown, and costs 0 without pricing', () => {
    expect(priceUsage(usage({ inputTokens: 1000, cachedInputTokens: 1000 }), { ...pricing, cacheRead: null })).toBe(3000n);
    expect(priceUsage(usage({ inputTokens: 1000 }), null)).toBe(0n);
  });

  it('bounds the worst case for reservations', () => {
    expect(maximumCost(1000, 1000, pricing)).toBe(3750n + 15_000n);
  });
});
