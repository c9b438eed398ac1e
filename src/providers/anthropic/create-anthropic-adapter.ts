import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { anthropicError, anthropicTransportError, parseAnthropicErrorBody } from './anthropic-error.ts';
import { anthropicMessagesCalls } from './anthropic-messages-calls.ts';
import { buildAnthropicCountTokensRequest } from './build-anthropic-count-tokens-request.ts';
import { buildAnthropicRequest } from './build-anthropic-request.ts';
import { readAnthropicTokenCount } from './read-anthropic-token-count.ts';

export interface AnthropicAdapterOptions extends AdapterOptions {
  /** The `anthropic-version` header; defaults to 2023-06-01, the current stable version. */
  anthropicVersion?: string;
  /** An OAuth bearer token, sent as `Authorization: Bearer` instead of `x-api-key`. */
  authToken?: string;
}

export const defaultAnthropicBaseUrl = 'https://api.anthropic.com/v1';
export const defaultAnthropicVersion = '2023-06-01';

/** The Anthropic Messages API (POST {baseUrl}/messages), plain and streamed, and its token counter. */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const url = `${(options.baseUrl ?? defaultAnthropicBaseUrl).replace(/\/+$/, '')}/messages`;
  const countTokensUrl = `${url}/count_tokens`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': options.anthropicVersion ?? defaultAnthropicVersion,
    ...(options.authToken !== undefined
      ? { authorization: `Bearer ${options.authToken}` }
      : options.apiKey !== undefined
        ? { 'x-api-key': options.apiKey }
        : {}),
    ...options.headers,
  };
  const providerId = options.providerId;

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    return post(url, JSON.stringify(buildAnthropicRequest(request, { stream })), signal, stream ? 'text/event-stream' : undefined);
  }

  /** POSTs with the provider's key and headers; a non-2xx answer is read and thrown as a typed error. */
  async function post(target: string, body: string, signal: AbortSignal, accept?: string): Promise<HttpResponse> {
    return sendJsonRequest({
      http: options.http,
      url: target,
      headers,
      body,
      signal,
      accept,
      toTransportError: (error) => anthropicTransportError(error, signal, providerId),
      toStatusError: ({ status, headers, text }) =>
        anthropicError({ providerId, status, body: parseAnthropicErrorBody(text), rawText: text, headers }),
    });
  }

  return {
    ...anthropicMessagesCalls({ providerId, upstreamName: 'Anthropic', maxEventLength: options.http.responseLimitBytes, send }),

    async countTokens(request, signal) {
      const response = await post(countTokensUrl, JSON.stringify(buildAnthropicCountTokensRequest(request)), signal);
      return readAnthropicTokenCount(response, { providerId, signal });
    },
  };
}
