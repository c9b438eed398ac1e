// OpenAI deployments served through the Responses API upstream (provider setting
// `api: "responses"`): POST {baseUrl}/responses, JSON or the typed event stream back. Reasoning
// models return their reasoning encrypted here (and only here), so multi-turn reasoning keeps
// working across turns. Auth, endpoint and error bodies are OpenAI's, shared with the chat adapter.
import type { GatewayError } from '../../core/errors.ts';
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { OpenAIAdapterOptions } from '../openai/openai-adapter-options.ts';
import { openAIErrorFromResponse } from '../openai/openai-error.ts';
import { resolveOpenAIEndpoint } from '../openai/resolve-openai-endpoint.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { readJsonBody } from '../shared/read-json-body.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { streamResponseParts } from '../shared/stream-response-parts.ts';
import { transportError } from '../shared/transport-error.ts';
import { buildResponsesRequest } from './build-responses-request.ts';
import { mapResponsesResponse } from './map-responses-response.ts';
import { createResponsesStreamDecoder } from './responses-stream.ts';

export function createOpenAIResponsesAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const endpoint = resolveOpenAIEndpoint(options);
  // {baseUrl}/chat/completions -> {baseUrl}/responses (OpenAI's own endpoint layout).
  const url = endpoint.chatUrl('').replace(/\/chat\/completions$/, '/responses');
  const provider = options.providerId;
  const failed = (signal: AbortSignal) => (error: unknown): GatewayError => {
    const code = (error as { code?: unknown } | null)?.code;
    return transportError(error, signal, provider, `The request to the upstream failed${typeof code === 'string' ? ` (${code})` : ''}`);
  };

  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    return sendJsonRequest({
      http: options.http,
      url,
      headers: endpoint.headers,
      body: JSON.stringify(buildResponsesRequest(request, stream)),
      signal,
      toTransportError: failed(signal),
      toStatusError: ({ status, headers, text }) => openAIErrorFromResponse(status, headers, text, provider),
      unreadableErrorBody: 'transport-error',
    });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      const json = await readJsonBody(response, { provider, toTransportError: failed(signal), notJsonMessage: 'The upstream response is not valid JSON' });
      return mapResponsesResponse(json, provider);
    },
    stream(request, signal) {
      return streamResponseParts(
        () => send(request, true, signal),
        () => createResponsesStreamDecoder({ provider, signal, maxEventLength: options.http.responseLimitBytes }),
      );
    },
  };
}
