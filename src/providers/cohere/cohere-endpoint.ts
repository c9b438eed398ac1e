// Where a Cohere v2 call goes (chat, embed) and its headers: bearer auth with the API key.
import type { AdapterOptions } from '../shared/adapter-options.ts';

export const defaultCohereBaseUrl = 'https://api.cohere.com';

export interface CohereEndpoint {
  url: string;
  headers: Record<string, string>;
}

/** `path` under {baseUrl}/v2, e.g. "chat" or "embed". */
export function cohereEndpoint(options: AdapterOptions, path: string): CohereEndpoint {
  return {
    url: `${(options.baseUrl ?? defaultCohereBaseUrl).replace(/\/+$/, '')}/v2/${path}`,
    headers: {
      ...options.headers,
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
      'content-type': 'application/json',
    },
  };
}
