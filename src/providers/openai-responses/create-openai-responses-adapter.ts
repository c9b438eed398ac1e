// OpenAI deployments served through the Responses API upstream (provider setting
// `api: "responses"`): POST {baseUrl}/responses, JSON or the typed event stream back. Reasoning
// models return their reasoning encrypted here (and only here), so multi-turn reasoning keeps
// working across turns. Auth, endpoint and error bodies are OpenAI's, shared with the chat adapter.
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { OpenAIAdapterOptions } from '../openai/openai-adapter-options.ts';
import { resolveOpenAIEndpoint } from '../openai/resolve-openai-endpoint.ts';
import { readOpenAIJson, sendOpenAIRequest } from '../openai/send-openai-request.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { httpChatCalls } from '../shared/http-chat-calls.ts';
import { buildResponsesRequest } from './build-responses-request.ts';
import { mapResponsesResponse } from './map-responses-response.ts';
import { createResponsesStreamDecoder } from './responses-stream.ts';

export function createOpenAIResponsesAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const endpoint = resolveOpenAIEndpoint(options);
  // {baseUrl}/chat/completions -> {baseUrl}/responses (OpenAI's own endpoint layout).
  const url = endpoint.chatUrl('').replace(/\/chat\/completions$/, '/responses');
  const provider = options.providerId;

  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    return sendOpenAIRequest({ http: options.http, url, headers: endpoint.headers, body: JSON.stringify(buildResponsesRequest(request, stream)), signal }, provider);
  }

  return httpChatCalls({
    send,
    readAnswer: async (response, signal) => mapResponsesResponse(await readOpenAIJson(response, signal, provider), provider),
    streamDecoder: (_response, signal) => createResponsesStreamDecoder({ provider, signal, maxEventLength: options.http.responseLimitBytes }),
  });
}
