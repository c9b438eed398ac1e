// The registry of provider kinds: every protocol and every named OpenAI-compatible provider, with
// the catalog id of its models and how to build its adapter.
import type { WireProtocol } from '../core/catalog.ts';
import type { EmbeddingAdapter } from '../core/embeddings.ts';
import type { ProviderAdapter, HttpClient } from '../core/ports.ts';
import { createAnthropicAdapter } from './anthropic/create-anthropic-adapter.ts';
import { createBedrockEmbeddingAdapter } from './bedrock/bedrock-embeddings.ts';
import { bedrockOptions } from './bedrock/bedrock-settings.ts';
import { createBedrockAdapter } from './bedrock/create-bedrock-adapter.ts';
import { createCohereEmbeddingAdapter } from './cohere/cohere-embeddings.ts';
import { createCohereAdapter } from './cohere/create-cohere-adapter.ts';
import { createGeminiAdapter } from './gemini/create-gemini-adapter.ts';
import { createGeminiEmbeddingAdapter } from './gemini/gemini-embeddings.ts';
import { createMockAdapter } from './mock/create-mock-adapter.ts';
import { createMockEmbeddingAdapter } from './mock/mock-embeddings.ts';
import { openAICompatibleProviders } from './openai/compatible-providers.ts';
import { createOpenAIAdapter } from './openai/create-openai-adapter.ts';
import { createOpenAIEmbeddingAdapter } from './openai/openai-embeddings.ts';
import { createOpenAIResponsesAdapter } from './openai-responses/create-openai-responses-adapter.ts';
import type { ProviderSettings } from './provider-settings.ts';
import { createVertexAnthropicAdapter } from './vertex/create-vertex-anthropic-adapter.ts';
import { createVertexGeminiAdapter } from './vertex/create-vertex-gemini-adapter.ts';
import { vertexConfigured, vertexOptions } from './vertex/vertex-settings.ts';

export interface ProviderKind {
  kind: string;
  name: string;
  protocol: WireProtocol;
  /** models.dev provider id whose models this kind serves, or null. */
  catalogId: string | null;
  defaultBaseUrl: string | null;
  requiresApiKey: boolean;
  /** Serves embeddings (createEmbeddingAdapter builds an adapter for it). */
  supportsEmbeddings?: boolean;
  /** Environment variables that conventionally hold the key, most common first. */
  apiKeyEnv?: readonly string[];
}

/** OpenAI-compatible providers whose API has POST /embeddings, per each one's documentation. */
const openAICompatibleEmbeddingKinds: ReadonlySet<string> = new Set([
  'openai',
  'azure-openai',
  'together',
  'fireworks',
  'mistral',
  'deepinfra',
  'ollama',
  'vllm',
  'lmstudio',
  'llama-cpp',
  'litellm-proxy',
  'nvidia',
  'github-models',
  'google-gemini',
  'nebius',
  'alibaba',
  'alibaba-cn',
  'siliconflow',
  'siliconflow-cn',
  'cloudflare-workers-ai',
  'upstage',
]);

export const PROVIDER_KINDS: readonly ProviderKind[] = [
  { kind: 'anthropic', name: 'Anthropic', protocol: 'anthropic', catalogId: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com/v1', requiresApiKey: true, apiKeyEnv: ['ANTHROPIC_API_KEY'] },
  { kind: 'gemini', name: 'Google Gemini', protocol: 'gemini', catalogId: 'google', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta', requiresApiKey: true, supportsEmbeddings: true, apiKeyEnv: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'] },
  { kind: 'cohere', name: 'Cohere', protocol: 'cohere', catalogId: null, defaultBaseUrl: 'https://api.cohere.com', requiresApiKey: true, supportsEmbeddings: true, apiKeyEnv: ['COHERE_API_KEY', 'CO_API_KEY'] },
  // Bedrock and Vertex AI authenticate with cloud credentials (see isConfigured), not an API key.
  { kind: 'bedrock', name: 'Amazon Bedrock', protocol: 'bedrock', catalogId: 'amazon-bedrock', defaultBaseUrl: 'https://bedrock-runtime.{region}.amazonaws.com', requiresApiKey: false, supportsEmbeddings: true },
  { kind: 'vertex', name: 'Google Vertex AI (Gemini)', protocol: 'gemini', catalogId: 'google-vertex', defaultBaseUrl: 'https://{location}-aiplatform.googleapis.com/v1', requiresApiKey: false },
  { kind: 'vertex-anthropic', name: 'Google Vertex AI (Claude)', protocol: 'anthropic', catalogId: 'google-vertex-anthropic', defaultBaseUrl: 'https://{location}-aiplatform.googleapis.com/v1', requiresApiKey: false },
  { kind: 'mock', name: 'Mock (simulated, no network)', protocol: 'mock', catalogId: null, defaultBaseUrl: null, requiresApiKey: false, supportsEmbeddings: true },
  // The native Cohere v2 kind above supersedes the Compatibility API entry of the same id.
  ...openAICompatibleProviders.filter((provider) => provider.id !== 'cohere').map(
    (provider): ProviderKind => ({
      kind: provider.id,
      name: provider.name,
      protocol: 'openai',
      catalogId: provider.catalogId,
      defaultBaseUrl: provider.defaultBaseUrl,
      requiresApiKey: provider.auth !== 'none' && !provider.apiKeyOptional,
      supportsEmbeddings: openAICompatibleEmbeddingKinds.has(provider.id),
      apiKeyEnv: provider.apiKeyEnv,
    }),
  ),
];


export function findProviderKind(kind: string): ProviderKind | undefined {
  return PROVIDER_KINDS.find((candidate) => candidate.kind === kind);
}

/** Whether the provider has what it needs to be called. */
export function isConfigured(settings: ProviderSettings): boolean {
  const kind = findProviderKind(settings.kind);
  if (!kind) return false;
  // Bedrock and Vertex AI build their endpoints from region / location; their templates need no filling.
  if (settings.kind === 'bedrock') return Boolean(settings.region) && Boolean((settings.accessKeyId && settings.secretAccessKey) || settings.apiKey);
  if (settings.kind === 'vertex' || settings.kind === 'vertex-anthropic') return vertexConfigured(settings);
  // A kind without a usable default URL (none, or a template such as Azure's {resource}) needs one.
  const needsBaseUrl = kind.protocol !== 'mock' && (kind.defaultBaseUrl === null || kind.defaultBaseUrl.includes('{'));
  if (needsBaseUrl && !settings.baseUrl) return false;
  return !kind.requiresApiKey || Boolean(settings.apiKey);
}

/** The options every adapter factory takes, from a provider's settings. */
function commonAdapterOptions(settings: ProviderSettings, http: HttpClient) {
  return {
    providerId: settings.id,
    http,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl.replace(/\/+$/, '') } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
  };
}

type CommonAdapterOptions = ReturnType<typeof commonAdapterOptions>;

/** The protocols whose adapters take the common options alone: their chat factory and, when they serve embeddings, that one. */
const commonOptionFactories: Partial<Record<WireProtocol, { chat(options: CommonAdapterOptions): ProviderAdapter; embeddings?(options: CommonAdapterOptions): EmbeddingAdapter }>> = {
  anthropic: { chat: createAnthropicAdapter },
  gemini: { chat: createGeminiAdapter, embeddings: createGeminiEmbeddingAdapter },
  cohere: { chat: createCohereAdapter, embeddings: createCohereEmbeddingAdapter },
};

export function createProviderAdapter(settings: ProviderSettings, http: HttpClient): ProviderAdapter {
  const kind = findProviderKind(settings.kind);
  if (!kind) throw new Error(`unknown provider kind ${settings.kind}`);
  const common = commonAdapterOptions(settings, http);
  if (settings.kind === 'vertex' || settings.kind === 'vertex-anthropic') {
    // Vertex AI takes OAuth tokens, never an API key.
    const { apiKey: _apiKey, ...vertexCommon } = common;
    const vertex = { ...vertexCommon, ...vertexOptions(settings) };
    return settings.kind === 'vertex' ? createVertexGeminiAdapter(vertex) : createVertexAnthropicAdapter(vertex);
  }
  if (settings.kind === 'bedrock') return createBedrockAdapter({ ...common, ...bedrockOptions(settings) });
  if (settings.kind === 'mock') return createMockAdapter(settings.mock);
  const factories = commonOptionFactories[kind.protocol];
  if (factories) return factories.chat(common);
  if ('api' in settings && settings.api === 'responses') return createOpenAIResponsesAdapter({ ...common, compatibleProvider: kind.kind });
  return createOpenAIAdapter({ ...common, compatibleProvider: kind.kind, ...openAIExtras(settings) });
}

/** Azure's api-version, for the OpenAI-compatible kinds. */
function openAIExtras(settings: ProviderSettings) {
  return 'apiVersion' in settings && settings.apiVersion ? { azure: { apiVersion: settings.apiVersion } } : {};
}

/** The embeddings adapter of a provider, or undefined when its kind serves no embeddings. */
export function createEmbeddingAdapter(settings: ProviderSettings, http: HttpClient): EmbeddingAdapter | undefined {
  const kind = findProviderKind(settings.kind);
  if (!kind) throw new Error(`unknown provider kind ${settings.kind}`);
  if (!kind.supportsEmbeddings) return undefined;
  if (settings.kind === 'mock') return createMockEmbeddingAdapter({ latencyMs: settings.mock?.firstTokenLatencyMs ?? 0 });
  const common = commonAdapterOptions(settings, http);
  if (settings.kind === 'bedrock') return createBedrockEmbeddingAdapter({ ...common, ...bedrockOptions(settings) });
  if (kind.protocol === 'openai') return createOpenAIEmbeddingAdapter({ ...common, compatibleProvider: kind.kind, ...openAIExtras(settings) });
  return commonOptionFactories[kind.protocol]?.embeddings?.(common);
}
