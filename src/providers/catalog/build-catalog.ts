// Builds the catalog snapshot from the models.dev data, the configured providers and the
// configured deployments.
import type { CatalogModel, CatalogSnapshot, ProviderDescriptor, ProviderSupport } from '../../core/catalog.ts';
import type { Deployment } from '../../core/deployments.ts';
import type { StoredDeployment } from '../../core/ports.ts';
import type { ModelPricing } from '../../core/pricing.ts';
import { usdToMicro } from '../../core/money.ts';
import { findProviderKind, isConfigured, PROVIDER_KINDS, type ProviderKind } from '../registry.ts';
import type { ProviderSettings } from '../provider-settings.ts';
import { modelsDevCatalog, type ModelsDevEntry } from './models-dev.ts';

/** The mock provider's catalog: priced like small and large real models so costs show up. */
const MOCK_MODELS: ModelsDevEntry[] = [
  {
    upstreamModel: 'mock-small',
    name: 'Mock Small (simulated)',
    pricing: { input: usdToMicro(0.15), output: usdToMicro(0.6), cacheRead: usdToMicro(0.075), cacheWrite: null },
    contextLength: 128_000,
    maxOutputTokens: 16_384,
    inputModalities: ['text'],
    outputModalities: ['text'],
    capabilities: ['STREAMING'],
    releaseDate: null,
  },
  {
    upstreamModel: 'mock-large',
    name: 'Mock Large (simulated)',
    pricing: { input: usdToMicro(3), output: usdToMicro(15), cacheRead: usdToMicro(0.3), cacheWrite: usdToMicro(3.75) },
    contextLength: 200_000,
    maxOutputTokens: 64_000,
    inputModalities: ['text'],
    outputModalities: ['text'],
    capabilities: ['STREAMING'],
    releaseDate: null,
  },
];

function entriesOf(kindName: string): ModelsDevEntry[] {
  const kind = findProviderKind(kindName);
  if (!kind) return [];
  if (kind.protocol === 'mock') return MOCK_MODELS;
  return kind.catalogId ? (modelsDevCatalog().get(kind.catalogId) ?? []) : [];
}

/** Every chat protocol here streams and maps tools and images; the mock provider answers text only. */
function supportOf(kind: ProviderKind): ProviderSupport {
  const real = kind.protocol !== 'mock';
  return { chat: true, streaming: true, tools: real, vision: real, embeddings: kind.supportsEmbeddings ?? false };
}

export interface CatalogInputs {
  providers: Array<ProviderSettings & { name?: string | undefined }>;
  deployments: StoredDeployment[];
}

export interface BuiltCatalog {
  snapshot: CatalogSnapshot;
  deployments: Deployment[];
}

export function buildCatalog(inputs: CatalogInputs): BuiltCatalog {
  const descriptors = new Map<string, ProviderDescriptor>();
  const kindOf = new Map<string, string>();
  for (const kind of PROVIDER_KINDS) {
    if (kind.protocol === 'mock') continue; // the mock provider appears only when configured
    descriptors.set(kind.kind, { id: kind.kind, name: kind.name, kind: kind.kind, protocol: kind.protocol, baseUrl: kind.defaultBaseUrl, configured: false, supports: supportOf(kind) });
    kindOf.set(kind.kind, kind.kind);
  }
  for (const provider of inputs.providers) {
    const kind = findProviderKind(provider.kind)!;
    descriptors.set(provider.id, {
      id: provider.id,
      name: provider.name ?? (provider.id === kind.kind ? kind.name : `${kind.name} (${provider.id})`),
      kind: kind.kind,
      protocol: kind.protocol,
      baseUrl: provider.baseUrl ?? kind.defaultBaseUrl,
      configured: isConfigured(provider),
      supports: supportOf(kind),
    });
    kindOf.set(provider.id, kind.kind);
  }

  const models: CatalogModel[] = [];
  const catalogEntry = new Map<string, ModelsDevEntry>();
  for (const provider of descriptors.values()) {
    for (const entry of entriesOf(kindOf.get(provider.id)!)) {
      catalogEntry.set(`${provider.id}/${entry.upstreamModel}`, entry);
      models.push({
        id: `${provider.id}/${entry.upstreamModel}`,
        name: entry.name,
        providerId: provider.id,
        upstreamModel: entry.upstreamModel,
        pricing: entry.pricing,
        contextLength: entry.contextLength,
        maxOutputTokens: entry.maxOutputTokens,
        inputModalities: entry.inputModalities,
        outputModalities: entry.outputModalities,
        capabilities: entry.capabilities,
        releaseDate: entry.releaseDate,
        simulated: provider.protocol === 'mock',
      });
    }
  }

  const deployments: Deployment[] = inputs.deployments
    .filter((stored) => descriptors.has(stored.providerId))
    .map((stored) => {
      const entry = catalogEntry.get(`${stored.providerId}/${stored.upstreamModel}`);
      return {
        id: stored.id,
        modelName: stored.modelName,
        providerId: stored.providerId,
        upstreamModel: stored.upstreamModel,
        weight: stored.weight,
        priority: stored.priority,
        timeoutMs: stored.timeoutMs,
        pricing: mergePricing(entry?.pricing ?? null, stored.pricing),
        contextLength: stored.contextLength ?? entry?.contextLength ?? null,
        maxOutputTokens: stored.maxOutputTokens ?? entry?.maxOutputTokens ?? null,
        rpm: stored.rpm ?? null,
        tpm: stored.tpm ?? null,
        tags: stored.tags ?? [],
        region: stored.region ?? null,
        source: stored.source,
      };
    });

  // Configured public names become catalog entries too, described by their first deployment.
  const named = new Map<string, Deployment>();
  for (const deployment of [...deployments].sort((a, b) => a.priority - b.priority)) {
    if (!named.has(deployment.modelName)) named.set(deployment.modelName, deployment);
  }
  for (const [name, deployment] of named) {
    if (catalogEntry.has(name)) continue;
    const entry = catalogEntry.get(`${deployment.providerId}/${deployment.upstreamModel}`);
    const provider = descriptors.get(deployment.providerId)!;
    models.push({
      id: name,
      name: entry?.name ?? name,
      providerId: deployment.providerId,
      upstreamModel: deployment.upstreamModel,
      pricing: deployment.pricing,
      contextLength: deployment.contextLength,
      maxOutputTokens: deployment.maxOutputTokens,
      inputModalities: entry?.inputModalities ?? ['text'],
      outputModalities: entry?.outputModalities ?? ['text'],
      capabilities: entry?.capabilities ?? ['STREAMING'],
      releaseDate: entry?.releaseDate ?? null,
      simulated: provider.protocol === 'mock',
    });
  }

  return { snapshot: { models, providers: [...descriptors.values()] }, deployments };
}

function mergePricing(base: ModelPricing | null, override: StoredDeployment['pricing']): ModelPricing | null {
  if (!override) return base;
  const input = override.input ?? base?.input;
  // A model without output tokens (embeddings) needs only an input price.
  const output = override.output ?? base?.output ?? (override.input !== undefined ? 0n : undefined);
  if (input === undefined || output === undefined) return base;
  return {
    input,
    output,
    cacheRead: override.cacheRead ?? base?.cacheRead ?? null,
    cacheWrite: override.cacheWrite ?? base?.cacheWrite ?? null,
    cacheWrite1h: override.cacheWrite1h ?? base?.cacheWrite1h ?? null,
  };
}
