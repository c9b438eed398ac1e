// The Cohere Chat API v2 adapter (POST {baseUrl}/v2/chat, plain and streamed), with bearer auth.
import { UpstreamProtocolError } from '../../core/errors.ts';
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import type { HttpResponse } from '../shared/http-client.ts';
import { buildCohereRequest } from './build-cohere-request.ts';
import { cohereError, cohereTransportError } from './cohere-error.ts';
import { cohereStream } from './cohere-stream.ts';
import type { CohereWireChatResponse } from './cohere-wire.ts';
import { mapCohereResponse } from './map-cohere-response.ts';

export const defaultCohereBaseUrl = 'https://api.cohere.com';

export type CohereAdapterOptions = AdapterOptions;

export function createCohereAdapter(options: CohereAdapterOptions): ProviderAdapter {
  const url = `${(options.baseUrl ?? defaultCohereBaseUrl).replace(/\/+$/, '')}/v2/chat`;
  const providerId = options.providerId;
  const headers: Record<string, string> = {
    ...options.headers,
    ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
    'content-type': 'application/json',
  };

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    const body = JSON.stringify(buildCohereRequest(request, { stream }));
    let response: HttpResponse;
    try {
      response = await options.http.request({
        url,
        method: 'POST',
        headers: stream ? { ...headers, accept: 'text/event-stream' } : { ...headers, accept: 'application/json' },
        body,
        signal,
      });
    } catch (error) {
      throw cohereTransportError(error, signal, providerId);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const text = await response.text().catch(() => '');
    throw cohereError({ providerId, status: response.status, headers: response.headers, body: text });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw cohereTransportError(error, signal, providerId);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UpstreamProtocolError('Cohere returned a response body that is not JSON', { provider: providerId, cause: error });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new UpstreamProtocolError('Cohere returned a response body that is not a chat response', { provider: providerId });
      }
      return mapCohereResponse(parsed as CohereWireChatResponse);
    },

    async *stream(request, signal) {
      const response = await send(request, true, signal);
      try {
        yield* cohereStream(response.body, { providerId, signal });
      } finally {
        await response.dump().catch(() => undefined);
      }
    },
  };
}
