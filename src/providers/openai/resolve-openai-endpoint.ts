// Adapter options + the compatible-providers entry -> where requests go and how they are signed.
// Runs once, when the adapter is built, so a misconfiguration fails at startup.
import {
  defaultOpenAICompatibleQuirks,
  findOpenAICompatibleProvider,
  type OpenAICompatibleProvider,
  type OpenAICompatibleQuirks,
} from './compatible-providers.ts';
import type { AzureOpenAIOptions, OpenAIAdapterOptions } from './openai-adapter-options.ts';

/** The GA api-version current when this adapter was written (Azure OpenAI REST reference). */
export const defaultAzureApiVersion = '2024-10-21';

export interface OpenAIEndpoint {
  chatUrl(model: string): string;
  /** POST {baseUrl}/embeddings (Azure: /deployments/{deployment}/embeddings?api-version=...). */
  embeddingsUrl(model: string): string;
  headers: Record<string, string>;
  quirks: OpenAICompatibleQuirks;
  includeUsageInStream: boolean;
  store: boolean;
}

export function resolveOpenAIEndpoint(options: OpenAIAdapterOptions): OpenAIEndpoint {
  const preset = compatibleProviderFor(options);
  const quirks = { ...defaultOpenAICompatibleQuirks, ...preset.quirks, ...options.quirks };
  const baseUrl = fillBaseUrl(options.baseUrl ?? preset.defaultBaseUrl, options, preset).replace(/\/+$/, '');
  const azure = options.azure ?? (preset.id === 'azure-openai' ? { apiVersion: defaultAzureApiVersion } : undefined);
  return {
    chatUrl: azure === undefined ? () => `${baseUrl}/chat/completions` : (model) => azureChatUrl(baseUrl, azure, model),
    embeddingsUrl: azure === undefined ? () => `${baseUrl}/embeddings` : (model) => azureEmbeddingsUrl(baseUrl, azure, model),
    headers: headersFor(options, preset),
    quirks,
    includeUsageInStream: options.includeUsageInStream ?? quirks.streamUsageOption,
    store: options.store === true && quirks.storedCompletions,
  };
}

/** Azure OpenAI REST reference, "Chat completions": the deployment names the model. */
function azureChatUrl(baseUrl: string, azure: AzureOpenAIOptions, model: string): string {
  const deployment = encodeURIComponent(azure.deployment ?? model);
  return `${baseUrl}/deployments/${deployment}/chat/completions?api-version=${encodeURIComponent(azure.apiVersion)}`;
}

/** Azure OpenAI REST reference, "Embeddings": the deployment names the model. */
function azureEmbeddingsUrl(baseUrl: string, azure: AzureOpenAIOptions, model: string): string {
  const deployment = encodeURIComponent(azure.deployment ?? model);
  return `${baseUrl}/deployments/${deployment}/embeddings?api-version=${encodeURIComponent(azure.apiVersion)}`;
}

function compatibleProviderFor(options: OpenAIAdapterOptions): OpenAICompatibleProvider {
  const id = options.compatibleProvider ?? (findOpenAICompatibleProvider(options.providerId) ? options.providerId : 'openai');
  const preset = findOpenAICompatibleProvider(id);
  if (preset === undefined) throw new Error(`Unknown OpenAI-compatible provider "${id}" for provider "${options.providerId}"`);
  return preset;
}

function fillBaseUrl(template: string | null, options: OpenAIAdapterOptions, preset: OpenAICompatibleProvider): string {
  if (template === null) throw new Error(`Provider "${options.providerId}" (${preset.name}) needs a baseUrl`);
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = options.baseUrlParams?.[name];
    if (value === undefined) throw new Error(`Provider "${options.providerId}" (${preset.name}) needs baseUrlParams.${name}`);
    return encodeURIComponent(value);
  });
}

function headersFor(options: OpenAIAdapterOptions, preset: OpenAICompatibleProvider): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = options.authHeader ?? preset.auth;
  // Local servers take no key; a missing optional key (vLLM, llama.cpp) sends no header.
  if (options.apiKey !== undefined && options.apiKey !== '') {
    if (auth === 'bearer') headers.authorization = `Bearer ${options.apiKey}`;
    else if (auth === 'api-key-header') headers['api-key'] = options.apiKey;
  }
  return { ...headers, ...options.headers };
}
