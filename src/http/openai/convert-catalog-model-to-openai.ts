// A catalog model -> an entry of GET /v1/models: OpenAI's model object (id, object, created,
// owned_by) with OpenRouter's additions (name, context_length, pricing as USD-per-token decimal
// strings, architecture, top_provider, supported_parameters).
import type { Capability, CatalogModel } from '../../core/catalog.ts';

const parametersByCapability: Partial<Record<Capability, string[]>> = {
  TOOLS: ['tools', 'tool_choice', 'parallel_tool_calls'],
  REASONING: ['reasoning', 'reasoning_effort'],
  JSON_SCHEMA: ['response_format', 'structured_outputs'],
};
const commonParameters = ['max_tokens', 'temperature', 'top_p', 'stop', 'seed'];

export function convertCatalogModelToOpenAI(model: CatalogModel) {
  const pricing = model.pricing;
  return {
    id: model.id,
    object: 'model' as const,
    created: releaseTimestamp(model.releaseDate),
    owned_by: model.providerId,
    name: model.name,
    context_length: model.contextLength,
    // A model without a known price is metered at zero, so that is the price it is listed at.
    pricing: {
      prompt: usdPerToken(pricing?.input ?? 0n),
      completion: usdPerToken(pricing?.output ?? 0n),
      // A missing cache price is charged at the input price (core/pricing.ts).
      input_cache_read: usdPerToken(pricing?.cacheRead ?? pricing?.input ?? 0n),
      input_cache_write: usdPerToken(pricing?.cacheWrite ?? pricing?.input ?? 0n),
    },
    architecture: { input_modalities: model.inputModalities, output_modalities: model.outputModalities },
    top_provider: { context_length: model.contextLength, max_completion_tokens: model.maxOutputTokens },
    supported_parameters: [...commonParameters, ...model.capabilities.flatMap((capability) => parametersByCapability[capability] ?? [])],
  };
}

const picoPerMicroPerMillion = 12;

/** Micro-USD per 1M tokens -> USD per token as an exact decimal string: 150000n -> "0.00000015". */
export function usdPerToken(microPerMillion: bigint): string {
  // USD per token = micro-USD per 1M tokens / 10^12.
  const scale = 10n ** BigInt(picoPerMicroPerMillion);
  const whole = microPerMillion / scale;
  const fraction = (microPerMillion % scale).toString().padStart(picoPerMicroPerMillion, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

function releaseTimestamp(releaseDate: string | null): number {
  const time = releaseDate === null ? Number.NaN : Date.parse(releaseDate);
  return Number.isNaN(time) ? 0 : Math.floor(time / 1000);
}
