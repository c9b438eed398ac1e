// The Chat Completions adapter for OpenAI and every OpenAI-compatible provider: POST
// {baseUrl}/chat/completions (OpenAI API reference, "Create chat completion"), JSON or SSE back.
import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import { httpChatCalls } from '../shared/http-chat-calls.ts';
import { buildOpenAIRequestBody } from './build-openai-request-body.ts';
import { mapOpenAIResponse } from './map-openai-response.ts';
import type { UsageConvention } from './map-openai-usage.ts';
import type { OpenAIAdapterOptions } from './openai-adapter-options.ts';
import { createOpenAIStreamDecoder } from './openai-stream.ts';
import { resolveOpenAIEndpoint } from './resolve-openai-endpoint.ts';
import { readOpenAIJson, sendOpenAIRequest } from './send-openai-request.ts';

export type { OpenAIAdapterOptions } from './openai-adapter-options.ts';

export function createOpenAIAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const endpoint = resolveOpenAIEndpoint(options);
  const provider = options.providerId;
  const usage: UsageConvention = { completionTokensIncludeReasoning: endpoint.quirks.completionTokensIncludeReasoning };

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    const body = buildOpenAIRequestBody(request, {
      quirks: endpoint.quirks,
      stream,
      includeUsageInStream: endpoint.includeUsageInStream,
      store: endpoint.store,
    });
    return sendOpenAIRequest({ http: options.http, url: endpoint.chatUrl(request.model), headers: endpoint.headers, body: JSON.stringify(body), signal }, provider);
  }

  return httpChatCalls({
    send,
    readAnswer: async (response, signal) => mapOpenAIResponse(await readOpenAIJson(response, signal, provider), provider, usage),
    streamDecoder: (_response, signal) => createOpenAIStreamDecoder({ provider, usage, signal, maxEventLength: options.http.responseLimitBytes }),
  });
}
