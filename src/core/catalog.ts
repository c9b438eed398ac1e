// The model catalog: what can be asked for, at what price, with which capabilities.
import type { ModelPricing } from './pricing.ts';

export const CAPABILITIES = ['TOOLS', 'VISION', 'REASONING', 'JSON_SCHEMA', 'STREAMING', 'PDF_INPUT', 'AUDIO_INPUT'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type WireProtocol = 'openai' | 'anthropic' | 'gemini' | 'cohere' | 'bedrock' | 'mock';

export interface CatalogModel {
  /** What clients ask for: `provider/model` for catalog entries, the configured name for config models. */
  id: string;
  name: string;
  providerId: string;
  upstreamModel: string;
  pricing: ModelPricing | null;
  contextLength: number | null;
  maxOutputTokens: number | null;
  inputModalities: string[];
  outputModalities: string[];
  capabilities: Capability[];
  releaseDate: string | null;
  /** True for models of the built-in mock provider: not a real model. */
  simulated: boolean;
}

/** A provider the gateway knows how to reach, configured or not. */
export interface ProviderDescriptor {
  id: string;
  name: string;
  /** The named kind (e.g. "groq") or the protocol itself. */
  kind: string;
  protocol: WireProtocol;
  baseUrl: string | null;
  /** Has what it needs to be called (credentials, or none needed). */
  configured: boolean;
  /** What the provider's protocol serves through this gateway. */
  supports: ProviderSupport;
}

export interface ProviderSupport {
  chat: boolean;
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  embeddings: boolean;
}

export interface ModelFilter {
  provider?: string | null;
  search?: string | null;
  capabilities?: Capability[] | null;
  inputModalities?: string[] | null;
  /** Micro-USD per 1M input tokens. */
  maxInputPrice?: bigint | null;
  minContextLength?: number | null;
  configuredOnly?: boolean | null;
}

export type ModelOrderField = 'ID' | 'NAME' | 'INPUT_PRICE' | 'OUTPUT_PRICE' | 'CONTEXT_LENGTH' | 'RELEASE_DATE';
export interface ModelOrder {
  field: ModelOrderField;
  direction: 'ASC' | 'DESC';
}

export interface CatalogSnapshot {
  models: CatalogModel[];
  providers: ProviderDescriptor[];
}

/** Holds the current catalog; `replace` swaps it atomically (config reload, admin changes). */
export class CatalogService {
  private byId = new Map<string, CatalogModel>();
  private models: CatalogModel[] = [];
  private providers = new Map<string, ProviderDescriptor>();

  constructor(snapshot: CatalogSnapshot) {
    this.replace(snapshot);
  }

  replace(snapshot: CatalogSnapshot): void {
    this.models = snapshot.models;
    this.byId = new Map(snapshot.models.map((model) => [model.id, model]));
    this.providers = new Map(snapshot.providers.map((provider) => [provider.id, provider]));
  }

  model(id: string): CatalogModel | undefined {
    return this.byId.get(id);
  }

  provider(id: string): ProviderDescriptor | undefined {
    return this.providers.get(id);
  }

  listProviders(): ProviderDescriptor[] {
    return [...this.providers.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Whether a model can be served now: its provider is configured. */
  isRoutable(model: CatalogModel): boolean {
    return this.providers.get(model.providerId)?.configured ?? false;
  }

  listModels(filter: ModelFilter = {}, order: ModelOrder = { field: 'ID', direction: 'ASC' }): CatalogModel[] {
    const search = filter.search?.trim().toLowerCase();
    const result = this.models.filter((model) => {
      if (filter.provider && model.providerId !== filter.provider) return false;
      if (search && !model.id.toLowerCase().includes(search) && !model.name.toLowerCase().includes(search)) return false;
      if (filter.capabilities?.some((capability) => !model.capabilities.includes(capability))) return false;
      if (filter.inputModalities?.some((modality) => !model.inputModalities.includes(modality))) return false;
      if (filter.maxInputPrice != null && (!model.pricing || model.pricing.input > filter.maxInputPrice)) return false;
      if (filter.minContextLength != null && (model.contextLength ?? 0) < filter.minContextLength) return false;
      if (filter.configuredOnly && !this.isRoutable(model)) return false;
      return true;
    });
    const sign = order.direction === 'DESC' ? -1 : 1;
    const key = orderKey(order.field);
    return result.sort((a, b) => {
      const left = key(a);
      const right = key(b);
      // Models without the value sort last in either direction.
      if (left === null && right === null) return a.id.localeCompare(b.id);
      if (left === null) return 1;
      if (right === null) return -1;
      const compared = left < right ? -1 : left > right ? 1 : 0;
      return compared * sign || a.id.localeCompare(b.id);
    });
  }
}

function orderKey(field: ModelOrderField): (model: CatalogModel) => string | number | bigint | null {
  switch (field) {
    case 'ID':
      return (model) => model.id;
    case 'NAME':
      return (model) => model.name.toLowerCase();
    case 'INPUT_PRICE':
      return (model) => model.pricing?.input ?? null;
    case 'OUTPUT_PRICE':
      return (model) => model.pricing?.output ?? null;
    case 'CONTEXT_LENGTH':
      return (model) => model.contextLength;
    case 'RELEASE_DATE':
      return (model) => model.releaseDate;
  }
}
