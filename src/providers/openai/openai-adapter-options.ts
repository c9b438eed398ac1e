import type { AdapterOptions } from '../shared/adapter-options.ts';
import type { OpenAIAuthStyle, OpenAICompatibleQuirks } from './compatible-providers.ts';

export interface AzureOpenAIOptions {
  /** The `api-version` query parameter, e.g. "2024-10-21". */
  apiVersion: string;
  /** The deployment name; defaults to the request's model id. */
  deployment?: string;
}

export interface OpenAIAdapterOptions extends AdapterOptions {
  /**
   * The compatible-providers entry whose defaults (base URL, auth style, quirks) apply. Defaults to
   * `providerId` when that names an entry, else "openai". Explicit options below win over it.
   */
  compatibleProvider?: string;
  /** Values for `{name}` parts of the entry's base URL: `resource` (Azure), `account_id` (Cloudflare). */
  baseUrlParams?: Record<string, string>;
  /** Azure's URL shape: /deployments/{deployment}/chat/completions?api-version=... */
  azure?: AzureOpenAIOptions;
  /** How the key is sent: `authorization: Bearer`, Azure's `api-key` header, or not at all. */
  authHeader?: OpenAIAuthStyle;
  /** Ask for the trailing usage chunk with `stream_options.include_usage` (default true, unless the entry's quirks say the provider rejects it). */
  includeUsageInStream?: boolean;
  quirks?: Partial<OpenAICompatibleQuirks>;
  /**
   * OpenAI only: send `store: true` with each request, and with it the request's metadata
   * (OpenAI rejects `metadata` unless `store` is on). Stored completions are kept by OpenAI.
   */
  store?: boolean;
}
