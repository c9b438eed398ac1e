// The Chat Completions adapter for OpenAI and every OpenAI-compatible provider: POST
// {baseUrl}/chat/completions (OpenAI API reference, "Create chat completion"), JSON or SSE back.
import type { GatewayError } from '../../core/errors.ts';
import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import { readJsonBody } from '../shared/read-json-body.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { streamResponseParts } from '../shared/stream-response-parts.ts';
import { buildOpenAIRequestBody } from './build-openai-request-body.ts';
import { mapOpenAIResponse } from './map-openai-response.ts';
import type { UsageConvention } from './map-openai-usage.ts';
import type { OpenAIAdapterOptions } from './openai-adapter-options.ts';
import { openAIErrorFromResponse } from './openai-error.ts';
import { createOpenAIStreamDecoder } from './openai-stream.ts';
import { resolveOpenAIEndpoint } from './resolve-openai-endpoint.ts';
import { transportError } from '../shared/transport-error.ts';

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
    return sendJsonRequest({
      http: options.http,
      url: endpoint.chatUrl(request.model),
      headers: endpoint.headers,
      body: JSON.stringify(body),
      signal,
      toTransportError: (error) => openAITransportError(error, signal, provider),
      toStatusError: ({ status, headers, text }) => openAIErrorFromResponse(status, headers, text, provider),
      unreadableErrorBody: 'transport-error',
    });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      const json = await readJsonBody(response, {
        provider,
        toTransportError: (error) => openAITransportError(error, signal, provider),
        notJsonMessage: 'The upstream response is not valid JSON',
      });
      return mapOpenAIResponse(json, provider, usage);
    },

    stream(request, signal) {
      return streamResponseParts(
        () => send(request, true, signal),
        () => createOpenAIStreamDecoder({ provider, usage, signal, maxEventLength: options.http.responseLimitBytes }),
      );
    },
  };
}

/** Network failures and aborts, worded without the upstream's address. */
function openAITransportError(error: unknown, signal: AbortSignal, provider: string): GatewayError {
  const code = (error as { code?: unknown } | null)?.code;
  return transportError(error, signal, provider, `The request to the upstream failed${typeof code === 'string' ? ` (${code})` : ''}`);
}
