// Claude models on Vertex AI: POST …/publishers/anthropic/models/{model}:rawPredict and
// :streamRawPredict with an OAuth bearer token. The body, the response and the SSE stream are the
// Messages API's, so the Anthropic adapter's request builder, response mapper and stream reader
// are reused; only the URL, the auth and the error shapes differ.
import { UpstreamProtocolError } from '../../core/errors.ts';
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import { anthropicTransportError } from '../anthropic/anthropic-error.ts';
import { streamAnthropicParts } from '../anthropic/anthropic-stream.ts';
import type { AnthropicWireMessage } from '../anthropic/anthropic-wire.ts';
import { mapAnthropicResponse } from '../anthropic/map-anthropic-response.ts';
import type { HttpResponse } from '../shared/http-client.ts';
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
    const url = vertexModelUrl(address, request.model, stream ? 'streamRawPredict' : 'rawPredict');
    const body = JSON.stringify(buildVertexAnthropicRequest(request, { stream }));
    let response: HttpResponse;
    try {
      const headers = {
        ...options.headers,
        authorization: `Bearer ${await tokens.token()}`,
        'content-type': 'application/json',
        ...(stream ? { accept: 'text/event-stream' } : {}),
      };
      response = await options.http.request({ url, method: 'POST', headers, body, signal });
    } catch (error) {
      throw anthropicTransportError(error, signal, providerId);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const text = await response.text().catch(() => '');
    throw vertexAnthropicError({ providerId, status: response.status, headers: response.headers, body: text });
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
        throw new UpstreamProtocolError('Vertex AI returned a response body that is not JSON', { provider: providerId, cause: error });
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) {
        throw new UpstreamProtocolError('Vertex AI returned a response body that is not a message', { provider: providerId });
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
