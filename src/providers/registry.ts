// The registry of provider kinds: every protocol and every named OpenAI-compatible provider, with
// the catalog id of its models and how to build its adapter.
import type { WireProtocol } from '../core/catalog.ts';
import type { ProviderAdapter } from '../core/ports.ts';
import { createAnthropicAdapter } from './anthropic/create-anthropic-adapter.ts';
import { createGeminiAdapter } from './gemini/create-gemini-adapter.ts';
import { createMockAdapter, type MockAdapterOptions } from './mock/create-mock-adapter.ts';
import { openAICompatibleProviders } from './openai/compatible-providers.ts';
import { createOpenAIAdapter } from './openai/create-openai-adapter.ts';
import type { HttpClient } from './shared/http-client.ts';

export interface ProviderKind {
  kind: string;
  name: string;
  protocol: WireProtocol;
  /** models.dev provider id whose models this kind serves, or null. */
  catalogId: string | null;
  defaultBaseUrl: string | null;
  requiresApiKey: boolean;
}

export const PROVIDER_KINDS: readonly ProviderKind[] = [
  { kind: 'anthropic', name: 'Anthropic', protocol: 'anthropic', catalogId: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com/v1', requiresApiKey: true },
  { kind: 'gemini', name: 'Google Gemini', protocol: 'gemini', catalogId: 'google', defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta', requiresApiKey: true },
  { kind: 'mock', name: 'Mock (simulated, no network)', protocol: 'mock', catalogId: null, defaultBaseUrl: null, requiresApiKey: false },
  ...openAICompatibleProviders.map(
    (provider): ProviderKind => ({
      kind: provider.id,
      name: provider.name,
      protocol: 'openai',
      catalogId: provider.catalogId,
      defaultBaseUrl: provider.defaultBaseUrl,
      requiresApiKey: provider.auth !== 'none' && !provider.apiKeyOptional,
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
}

/** Whether the provider has what it needs to be called. */
export function isConfigured(settings: ProviderSettings): boolean {
  const kind = findProviderKind(settings.kind);
  if (!kind) return false;
  // A kind without a usable default URL (none, or a template such as Azure's {resource}) needs one.
  const needsBaseUrl = kind.protocol !== 'mock' && (kind.defaultBaseUrl === null || kind.defaultBaseUrl.includes('{'));
  if (needsBaseUrl && !settings.baseUrl) return false;
  return !kind.requiresApiKey || Boolean(settings.apiKey);
}

export function createProviderAdapter(settings: ProviderSettings, http: HttpClient): ProviderAdapter {
  const kind = findProviderKind(settings.kind);
  if (!kind) throw new Error(`unknown provider kind ${settings.kind}`);
  const common = {
    providerId: settings.id,
    http,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl.replace(/\/+$/, '') } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
  };
  switch (kind.protocol) {
    case 'anthropic':
      return createAnthropicAdapter(common);
    case 'gemini':
      return createGeminiAdapter(common);
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
