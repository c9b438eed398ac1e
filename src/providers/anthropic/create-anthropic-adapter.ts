import { UpstreamProtocolError } from '../../core/errors.ts';
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import type { HttpResponse } from '../shared/http-client.ts';
import { anthropicError, anthropicTransportError, parseAnthropicErrorBody } from './anthropic-error.ts';
import { streamAnthropicParts } from './anthropic-stream.ts';
import type { AnthropicWireMessage } from './anthropic-wire.ts';
import { buildAnthropicRequest } from './build-anthropic-request.ts';
import { mapAnthropicResponse } from './map-anthropic-response.ts';

export interface AnthropicAdapterOptions extends AdapterOptions {
  /** The `anthropic-version` header; defaults to 2023-06-01, the current stable version. */
  anthropicVersion?: string;
  /** An OAuth bearer token, sent as `Authorization: Bearer` instead of `x-api-key`. */
  authToken?: string;
}

export const defaultAnthropicBaseUrl = 'https://api.anthropic.com/v1';
export const defaultAnthropicVersion = '2023-06-01';

/** The Anthropic Messages API (POST {baseUrl}/messages), plain and streamed. */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const url = `${(options.baseUrl ?? defaultAnthropicBaseUrl).replace(/\/+$/, '')}/messages`;
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
    const body = JSON.stringify(buildAnthropicRequest(request, { stream }));
    let response: HttpResponse;
    try {
      response = await options.http.request({
        url,
        method: 'POST',
        headers: stream ? { ...headers, accept: 'text/event-stream' } : headers,
        body,
        signal,
      });
    } catch (error) {
      throw anthropicTransportError(error, signal, providerId);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const text = await response.text().catch(() => '');
    throw anthropicError({
      providerId,
      status: response.status,
      body: parseAnthropicErrorBody(text),
      rawText: text,
      headers: response.headers,
    });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw anthropicTransportError(error, signal, providerId);
      }
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch (error) {
        throw new UpstreamProtocolError('Anthropic returned a response body that is not JSON', { provider: providerId, cause: error });
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        throw new UpstreamProtocolError('Anthropic returned a response body that is not a message', { provider: providerId });
      }
      return mapAnthropicResponse(message as AnthropicWireMessage);
    },

    async *stream(request, signal) {
      const response = await send(request, true, signal);
      try {
        yield* streamAnthropicParts(response.body, { providerId, signal });
      } finally {
        await response.dump().catch(() => undefined);
      }
    },
  };
}
