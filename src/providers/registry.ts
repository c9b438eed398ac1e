// The registry of provider kinds: every protocol and every named OpenAI-compatible provider, with
// the catalog id of its models and how to build its adapter.
import { readFileSync } from 'node:fs';
import type { WireProtocol } from '../core/catalog.ts';
import type { EmbeddingAdapter } from '../core/embeddings.ts';
import type { ProviderAdapter } from '../core/ports.ts';
import { createAnthropicAdapter } from './anthropic/create-anthropic-adapter.ts';
import { createBedrockEmbeddingAdapter } from './bedrock/bedrock-embeddings.ts';
import { createBedrockAdapter } from './bedrock/create-bedrock-adapter.ts';
import { createCohereEmbeddingAdapter } from './cohere/cohere-embeddings.ts';
import { createCohereAdapter } from './cohere/create-cohere-adapter.ts';
import { createGeminiAdapter } from './gemini/create-gemini-adapter.ts';
import { createGeminiEmbeddingAdapter } from './gemini/gemini-embeddings.ts';
import { createMockAdapter, type MockAdapterOptions } from './mock/create-mock-adapter.ts';
import { createMockEmbeddingAdapter } from './mock/mock-embeddings.ts';
import { openAICompatibleProviders } from './openai/compatible-providers.ts';
import { createOpenAIAdapter } from './openai/create-openai-adapter.ts';
import { createOpenAIEmbeddingAdapter } from './openai/openai-embeddings.ts';
import type { HttpClient } from './shared/http-client.ts';
import { createVertexAnthropicAdapter } from './vertex/create-vertex-anthropic-adapter.ts';
import { createVertexGeminiAdapter } from './vertex/create-vertex-gemini-adapter.ts';

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
  { kind: 'anthropic', name: 'Anthropic', protocol: 'anthropic', catalogId: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com/v1', requiresApiKey: true },
  { kind: 'gemini', name: 'Google Gemini', protocol: 'gemini', catalogId: 'google', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta', requiresApiKey: true, supportsEmbeddings: true },
  { kind: 'cohere', name: 'Cohere', protocol: 'cohere', catalogId: null, defaultBaseUrl: 'https://api.cohere.com', requiresApiKey: true, supportsEmbeddings: true },
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
    }),
  ),
];

export const PROVIDER_KIND_NAMES: readonly string[] = PROVIDER_KINDS.map((kind) => kind.kind);

export function findProviderKind(kind: string): ProviderKind | undefined {
  return PROVIDER_KINDS.find((candidate) => candidate.kind === kind);
}

export interface ProviderSettings {
  id: string;
  kind: string;
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
  apiVersion?: string | undefined;
  mock?: MockAdapterOptions | undefined;
  /** bedrock: the AWS region. */
  region?: string | undefined;
  /** bedrock: IAM credentials for SigV4 (without them, apiKey is used as a Bedrock API key). */
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** vertex, vertex-anthropic: the Google Cloud project (defaults to the service account's). */
  project?: string | undefined;
  /** vertex, vertex-anthropic: a region or "global" (the default). */
  location?: string | undefined;
  /** vertex, vertex-anthropic: a ready OAuth access token, used as is. */
  accessToken?: string | undefined;
  /** vertex, vertex-anthropic: a service-account key, as JSON text or as the path of its file. */
  serviceAccountJson?: string | undefined;
  serviceAccountFile?: string | undefined;
}

/** Whether the provider has what it needs to be called. */
export function isConfigured(settings: ProviderSettings): boolean {
  const kind = findProviderKind(settings.kind);
  if (!kind) return false;
  // Bedrock and Vertex AI build their endpoints from region / location; their templates need no filling.
  if (kind.kind === 'bedrock') return Boolean(settings.region) && Boolean((settings.accessKeyId && settings.secretAccessKey) || settings.apiKey);
  if (kind.kind === 'vertex' || kind.kind === 'vertex-anthropic') {
    return Boolean((settings.accessToken && settings.project) || settings.serviceAccountJson || settings.serviceAccountFile);
  }
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

/** Bedrock's region and, when given, IAM credentials (else the API key is a Bedrock API key). */
function bedrockOptions(settings: ProviderSettings) {
  if (!settings.region) throw new Error(`bedrock provider ${settings.id} needs a region`);
  return {
    region: settings.region,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? {
          credentials: {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
            ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
          },
        }
      : {}),
  };
}

export function createProviderAdapter(settings: ProviderSettings, http: HttpClient): ProviderAdapter {
  const kind = findProviderKind(settings.kind);
  if (!kind) throw new Error(`unknown provider kind ${settings.kind}`);
  const common = commonAdapterOptions(settings, http);
  if (kind.kind === 'vertex' || kind.kind === 'vertex-anthropic') {
    // Vertex AI takes OAuth tokens, never an API key.
    const { apiKey: _apiKey, ...vertexCommon } = common;
    const vertex = {
      ...vertexCommon,
      ...(settings.project ? { project: settings.project } : {}),
      ...(settings.location ? { location: settings.location } : {}),
      ...(settings.accessToken ? { accessToken: settings.accessToken } : {}),
      ...(settings.serviceAccountJson
        ? { serviceAccountKey: settings.serviceAccountJson }
        : settings.serviceAccountFile
          ? { serviceAccountKey: readFileSync(settings.serviceAccountFile, 'utf8') }
          : {}),
    };
    return kind.kind === 'vertex' ? createVertexGeminiAdapter(vertex) : createVertexAnthropicAdapter(vertex);
  }
  switch (kind.protocol) {
    case 'anthropic':
      return createAnthropicAdapter(common);
    case 'gemini':
      return createGeminiAdapter(common);
    case 'cohere':
      return createCohereAdapter(common);
    case 'bedrock':
      return createBedrockAdapter({
        ...common,
        ...bedrockOptions(settings),
      });
    case 'mock':
      return createMockAdapter(settings.mock);
    case 'openai':
      return createOpenAIAdapter({
        ...common,
        compatibleProvider: kind.kind,
        ...(settings.apiVersion ? { azure: { apiVersion: settings.apiVersion } } : {}),
      });
  }
}

/** The embeddings adapter of a provider, or undefined when its kind serves no embeddings. */
export function createEmbeddingAdapter(settings: ProviderSettings, http: HttpClient): EmbeddingAdapter | undefined {
  const kind = findProviderKind(settings.kind);
  if (!kind) throw new Error(`unknown provider kind ${settings.kind}`);
  if (!kind.supportsEmbeddings) return undefined;
  if (kind.protocol === 'mock') return createMockEmbeddingAdapter({ latencyMs: settings.mock?.firstTokenLatencyMs ?? 0 });
  const common = commonAdapterOptions(settings, http);
  switch (kind.protocol) {
    case 'gemini':
      return createGeminiEmbeddingAdapter(common);
    case 'cohere':
      return createCohereEmbeddingAdapter(common);
    case 'bedrock':
      return createBedrockEmbeddingAdapter({
        ...common,
        ...bedrockOptions(settings),
      });
    case 'openai':
      return createOpenAIEmbeddingAdapter({
        ...common,
        compatibleProvider: kind.kind,
        ...(settings.apiVersion ? { azure: { apiVersion: settings.apiVersion } } : {}),
      });
    default:
      return undefined;
  }
}
