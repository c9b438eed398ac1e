// Claude models on Vertex AI: POST …/publishers/anthropic/models/{model}:rawPredict and
// :streamRawPredict with an OAuth bearer token. The body, the response and the SSE stream are the
// Messages API's, so the Anthropic adapter's request builder, response reader and stream reader
// are reused; only the URL, the auth and the error shapes differ.
import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import { anthropicTransportError } from '../anthropic/anthropic-error.ts';
import { anthropicMessagesCalls } from '../anthropic/anthropic-messages-calls.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { buildVertexAnthropicRequest } from './build-vertex-anthropic-request.ts';
import { resolveVertexSetup, type VertexAdapterOptions } from './vertex-adapter-options.ts';
import { vertexAnthropicError } from './vertex-anthropic-error.ts';
import { vertexModelUrl } from './vertex-endpoint.ts';

export type VertexAnthropicAdapterOptions = VertexAdapterOptions;

export function createVertexAnthropicAdapter(options: VertexAnthropicAdapterOptions): ProviderAdapter {
  const { baseUrl, project, location, tokens } = resolveVertexSetup(options);
  const address = { baseUrl, project, location, publisher: 'anthropic' };
  const providerId = options.providerId;

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    return sendJsonRequest({
      http: options.http,
      url: vertexModelUrl(address, request.model, stream ? 'streamRawPredict' : 'rawPredict'),
      headers: async () => ({
        ...options.headers,
        authorization: `Bearer ${await tokens.token()}`,
        'content-type': 'application/json',
      }),
      body: JSON.stringify(buildVertexAnthropicRequest(request, { stream })),
      signal,
      accept: stream ? 'text/event-stream' : undefined,
      toTransportError: (error) => anthropicTransportError(error, signal, providerId),
      toStatusError: ({ status, headers, text }) => vertexAnthropicError({ providerId, status, headers, body: text }),
    });
  }

  return anthropicMessagesCalls({ providerId, upstreamName: 'Vertex AI', maxEventLength: options.http.responseLimitBytes, send });
}
