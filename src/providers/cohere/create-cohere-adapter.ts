// The Cohere Chat API v2 adapter (POST {baseUrl}/v2/chat, plain and streamed), with bearer auth.
import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { readJsonObject } from '../shared/read-json-object.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { httpChatCalls } from '../shared/http-chat-calls.ts';
import { buildCohereRequest } from './build-cohere-request.ts';
import { cohereEndpoint } from './cohere-endpoint.ts';
import { cohereError, cohereTransportError } from './cohere-error.ts';
import { createCohereStreamDecoder } from './cohere-stream.ts';
import type { CohereWireChatResponse } from './cohere-wire.ts';
import { mapCohereResponse } from './map-cohere-response.ts';

export type CohereAdapterOptions = AdapterOptions;

export function createCohereAdapter(options: CohereAdapterOptions): ProviderAdapter {
  const { url, headers } = cohereEndpoint(options, 'chat');
  const providerId = options.providerId;

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    return sendJsonRequest({
      http: options.http,
      url,
      headers,
      body: JSON.stringify(buildCohereRequest(request, { stream })),
      signal,
      accept: stream ? 'text/event-stream' : 'application/json',
      toTransportError: (error) => cohereTransportError(error, signal, providerId),
      toStatusError: ({ status, headers, text }) => cohereError({ providerId, status, headers, body: text }),
    });
  }

  return httpChatCalls({
    send,
    readAnswer: async (response, signal) => {
      const parsed = await readJsonObject(response, {
        provider: providerId,
        toTransportError: (error) => cohereTransportError(error, signal, providerId),
        notJsonMessage: 'Cohere returned a response body that is not JSON',
        notObjectMessage: 'Cohere returned a response body that is not a chat response',
      });
      return mapCohereResponse(parsed as CohereWireChatResponse);
    },
    streamDecoder: (_response, signal) => createCohereStreamDecoder({ providerId, signal, maxEventLength: options.http.responseLimitBytes }),
  });
}
