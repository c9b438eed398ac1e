// Cost per provider family, from the provider's own usage object through the adapter's usage
// normaliser to priceUsage. Each family counts cached and reasoning tokens its own way; the
// normalisers turn them into one convention, so one price formula bills them all correctly.
// Prices are micro-USD per 1M tokens, so tokens x price / 1M is micro-USD.
import { describe, expect, it } from 'vitest';
import { usdToMicro } from '../../src/core/money.ts';
import { maximumCost, priceUsage, type ModelPricing } from '../../src/core/pricing.ts';
import type { Usage } from '../../src/core/types.ts';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic/normalise-anthropic-usage.ts';
import { mapBedrockUsage } from '../../src/providers/bedrock/map-bedrock-usage.ts';
import { toPricing } from '../../src/providers/catalog/models-dev.ts';
import { mapGeminiUsage } from '../../src/providers/gemini/map-gemini-usage.ts';
import { mapOpenAIUsage } from '../../src/providers/openai/map-openai-usage.ts';

const price = (input: number, output: number, cacheRead: number | null = null, cacheWrite: number | null = null): ModelPricing => ({
  input: usdToMicro(input),
  output: usdToMicro(output),
  cacheRead: cacheRead === null ? null : usdToMicro(cacheRead),
  cacheWrite: cacheWrite === null ? null : usdToMicro(cacheWrite),
});

interface CostCase {
  name: string;
  usage: () => Usage;
  pricing: ModelPricing | null;
  /** The normalised usage the adapter must produce. */
  normalised: Partial<Usage>;
  /** Micro-USD. */
  cost: bigint;
}

const cases: CostCase[] = [
  {
    // prompt_tokens already includes the 400 cached tokens; completion_tokens includes reasoning.
    name: 'OpenAI: cached tokens are part of prompt_tokens, reasoning part of completion_tokens',
    usage: () =>
      mapOpenAIUsage(
        { prompt_tokens: 1000, completion_tokens: 500, prompt_tokens_details: { cached_tokens: 400 }, completion_tokens_details: { reasoning_tokens: 200 } },
        { completionTokensIncludeReasoning: true },
      ),
    pricing: price(2.5, 10, 1.25),
    normalised: { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 500, reasoningTokens: 200 },
    // 600 x 2.5 + 400 x 1.25 + 500 x 10 = 1500 + 500 + 5000
    cost: 7000n,
  },
  {
    name: 'OpenAI without cache pricing: cached tokens fall back to the input price',
    usage: () => mapOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 400 } }, { completionTokensIncludeReasoning: true }),
    pricing: price(2, 8),
    normalised: { inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 },
    // 1000 x 2 + 100 x 8
    cost: 2800n,
  },
  {
    // xAI leaves the reasoning tokens out of completion_tokens: they are added and billed as output.
    name: 'xAI convention: reasoning tokens beside completion_tokens are billed as output',
    usage: () => mapOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 300, completion_tokens_details: { reasoning_tokens: 200 } }, { completionTokensIncludeReasoning: false }),
    pricing: price(3, 15),
    normalised: { inputTokens: 1000, outputTokens: 500, reasoningTokens: 200 },
    // 1000 x 3 + 500 x 15
    cost: 10500n,
  },
  {
    name: 'DeepSeek: cache hits in prompt_cache_hit_tokens',
    usage: () => mapOpenAIUsage({ prompt_tokens: 2000, completion_tokens: 100, prompt_cache_hit_tokens: 1500 }, { completionTokensIncludeReasoning: true }),
    pricing: price(0.27, 1.1, 0.07),
    normalised: { inputTokens: 2000, cachedInputTokens: 1500 },
    // 500 x 0.27 + 1500 x 0.07 + 100 x 1.1 = 135 + 105 + 110
    cost: 350n,
  },
  {
    name: 'OpenRouter: cache writes in prompt_tokens_details.cache_write_tokens',
    usage: () =>
      mapOpenAIUsage({ prompt_tokens: 3000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 1000, cache_write_tokens: 1500 } }, { completionTokensIncludeReasoning: true }),
    pricing: price(3, 15, 0.3, 3.75),
    normalised: { inputTokens: 3000, cachedInputTokens: 1000, cacheWriteTokens: 1500 },
    // 500 x 3 + 1000 x 0.3 + 1500 x 3.75 + 100 x 15 = 1500 + 300 + 5625 + 1500
    cost: 8925n,
  },
  {
    // input_tokens counts only the tokens after the last cache breakpoint; reads and writes are separate.
    name: 'Anthropic: cache reads and writes are separate from input_tokens',
    usage: () => normaliseAnthropicUsage({ input_tokens: 200, cache_read_input_tokens: 3000, cache_creation_input_tokens: 1000, output_tokens: 400 }),
    pricing: price(3, 15, 0.3, 3.75),
    normalised: { inputTokens: 4200, cachedInputTokens: 3000, cacheWriteTokens: 1000, outputTokens: 400 },
    // 200 x 3 + 3000 x 0.3 + 1000 x 3.75 + 400 x 15 = 600 + 900 + 3750 + 6000
    cost: 11250n,
  },
  {
    name: 'Anthropic: thinking is part of output_tokens and billed once',
    usage: () => normaliseAnthropicUsage({ input_tokens: 100, output_tokens: 1000, output_tokens_details: { thinking_tokens: 800 } }),
    pricing: price(3, 15, 0.3, 3.75),
    normalised: { inputTokens: 100, outputTokens: 1000, reasoningTokens: 800 },
    // 100 x 3 + 1000 x 15
    cost: 15300n,
  },
  {
    // promptTokenCount includes the cached tokens; thoughts are beside candidates and billed as output;
    // tool-use prompt tokens are beside the prompt and billed as input.
    name: 'Gemini: thoughts billed as output, cached content inside the prompt count, tool-use prompt as input',
    usage: () => mapGeminiUsage({ promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 200, thoughtsTokenCount: 300, toolUsePromptTokenCount: 50 }),
    pricing: price(0.3, 2.5, 0.075),
    normalised: { inputTokens: 1050, cachedInputTokens: 600, outputTokens: 500, reasoningTokens: 300 },
    // 450 x 0.3 + 600 x 0.075 + 500 x 2.5 = 135 + 45 + 1250
    cost: 1430n,
  },
  {
    // Anthropic "Prompt caching": 5-minute writes cost 1.25x base input, 1-hour writes 2x;
    // usage.cache_creation splits cache_creation_input_tokens by lifetime.
    name: 'Anthropic: 5-minute and 1-hour cache writes are priced apart',
    usage: () =>
      normaliseAnthropicUsage({
        input_tokens: 100,
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: 2000,
        cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
        output_tokens: 50,
      }),
    pricing: { ...price(3, 15, 0.3, 3.75), cacheWrite1h: usdToMicro(6) },
    normalised: { inputTokens: 3100, cachedInputTokens: 2000, cacheWriteTokens: 1000, cacheWrite1hTokens: 600, outputTokens: 50 },
    // 100 x 3 + 2000 x 0.3 + 400 x 3.75 + 600 x 6 + 50 x 15 = 300 + 600 + 1500 + 3600 + 750
    cost: 6750n,
  },
  {
    name: 'Anthropic: 1-hour writes without a 1-hour price fall back to the cache-write price',
    usage: () => normaliseAnthropicUsage({ input_tokens: 0, cache_creation_input_tokens: 1000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1000 } }),
    pricing: price(3, 15, 0.3, 3.75),
    normalised: { inputTokens: 1000, cacheWriteTokens: 1000, cacheWrite1hTokens: 1000 },
    cost: 3750n,
  },
  {
    // Converse TokenUsage: inputTokens excludes cacheReadInputTokens and cacheWriteInputTokens.
    name: 'Bedrock Converse: cacheReadInputTokens and cacheWriteInputTokens beside inputTokens',
    usage: () => mapBedrockUsage({ inputTokens: 100, outputTokens: 20, cacheReadInputTokens: 3000, cacheWriteInputTokens: 500 }),
    pricing: price(3, 15, 0.3, 3.75),
    normalised: { inputTokens: 3600, cachedInputTokens: 3000, cacheWriteTokens: 500, outputTokens: 20 },
    // 100 x 3 + 3000 x 0.3 + 500 x 3.75 + 20 x 15 = 300 + 900 + 1875 + 300
    cost: 3375n,
  },
  {
    // Converse TokenUsage.cacheDetails: the writes by lifetime.
    name: 'Bedrock Converse: cacheDetails splits the writes; 1-hour writes priced apart',
    usage: () =>
      mapBedrockUsage({
        inputTokens: 0,
        outputTokens: 0,
        cacheWriteInputTokens: 1000,
        cacheDetails: [
          { inputTokens: 300, ttl: '5m' },
          { inputTokens: 700, ttl: '1h' },
        ],
      }),
    pricing: { ...price(3, 15, 0.3, 3.75), cacheWrite1h: usdToMicro(6) },
    normalised: { inputTokens: 1000, cacheWriteTokens: 1000, cacheWrite1hTokens: 700 },
    // 300 x 3.75 + 700 x 6 = 1125 + 4200
    cost: 5325n,
  },
  {
    name: 'rounding: 7 tokens at $0.15/M is 1.05 micro-USD, billed as 1',
    usage: () => mapOpenAIUsage({ prompt_tokens: 7, completion_tokens: 0 }, { completionTokensIncludeReasoning: true }),
    pricing: price(0.15, 0.6),
    normalised: { inputTokens: 7 },
    cost: 1n,
  },
  {
    name: 'rounding: exactly half a micro-USD rounds up',
    usage: () => mapOpenAIUsage({ prompt_tokens: 10, completion_tokens: 0 }, { completionTokensIncludeReasoning: true }),
    pricing: price(0.05, 0.05),
    normalised: { inputTokens: 10 },
    cost: 1n,
  },
  {
    name: 'no price known (e.g. an unlisted model): zero',
    usage: () => mapGeminiUsage({ promptTokenCount: 10_000, candidatesTokenCount: 10_000 }),
    pricing: null,
    normalised: { inputTokens: 10_000, outputTokens: 10_000 },
    cost: 0n,
  },
  {
    name: 'missing usage fields count as zero',
    usage: () => normaliseAnthropicUsage(undefined),
    pricing: price(3, 15),
    normalised: { inputTokens: 0, outputTokens: 0 },
    cost: 0n,
  },
];

describe('cost per provider family (usage normaliser -> priceUsage)', () => {
  it.each(cases)('$name', ({ usage, pricing, normalised, cost }) => {
    const normalisedUsage = usage();
    expect(normalisedUsage).toMatchObject(normalised);
    expect(priceUsage(normalisedUsage, pricing)).toBe(cost);
  });

  it('reserves at least the cost of any usage within the request allowance', () => {
    const pricing = price(3, 15, 0.3, 3.75);
    const reserved = maximumCost(4200, 400, pricing);
    for (const c of cases.filter((c) => c.pricing === pricing)) {
      const u = c.usage();
      expect(maximumCost(u.inputTokens, u.outputTokens, pricing)).toBeGreaterThanOrEqual(priceUsage(u, pricing));
    }
    expect(reserved).toBeGreaterThanOrEqual(11250n);
  });

  it('reserves one-hour cache writes at their own, higher price', () => {
    const pricing = { ...price(3, 15, 0.3, 3.75), cacheWrite1h: usdToMicro(6) };
    const usage = normaliseAnthropicUsage({ input_tokens: 0, cache_creation_input_tokens: 1000, cache_creation: { ephemeral_1h_input_tokens: 1000 } });
    expect(maximumCost(1000, 0, pricing)).toBeGreaterThanOrEqual(priceUsage(usage, pricing));
  });
});

describe('catalog prices for one-hour cache writes', () => {
  it('Claude models take one-hour writes at 2x base input; other models have no 1-hour price', () => {
    expect(toPricing({ input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 }, 'claude-sonnet-4-5')).toMatchObject({ cacheWrite: usdToMicro(3.75), cacheWrite1h: usdToMicro(6) });
    expect(toPricing({ input: 3, output: 15, cache_write: 3.75 }, 'anthropic.claude-haiku-4-5-20251001-v1:0')?.cacheWrite1h).toBe(usdToMicro(6));
    expect(toPricing({ input: 2, output: 8, cache_read: 0.5 }, 'gpt-4.1')?.cacheWrite1h).toBeNull();
  });
});
