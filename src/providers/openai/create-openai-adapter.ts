// The Chat Completions adapter for OpenAI and every OpenAI-compatible provider: POST
// {baseUrl}/chat/completions (OpenAI API reference, "Create chat completion"), JSON or SSE back.
import { CancelledError, GatewayError, UpstreamError, UpstreamProtocolError } from '../../core/errors.ts';
import type { ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { HttpResponse } from '../shared/http-client.ts';
import { buildOpenAIRequestBody } from './build-openai-request-body.ts';
import { mapOpenAIResponse } from './map-openai-response.ts';
import type { UsageConvention } from './map-openai-usage.ts';
import type { OpenAIAdapterOptions } from './openai-adapter-options.ts';
import { openAIErrorFromResponse } from './openai-error.ts';
import { openAIStreamParts } from './openai-stream.ts';
import { resolveOpenAIEndpoint } from './resolve-openai-endpoint.ts';

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
    let response: HttpResponse;
    try {
      response = await options.http.request({
        url: endpoint.chatUrl(request.model),
        method: 'POST',
        headers: endpoint.headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      throw transportError(error, signal, provider);
    }
    if (response.status < 200 || response.status >= 300) {
      const text = await readText(response, signal, provider);
      throw openAIErrorFromResponse(response.status, response.headers, text, provider);
    }
    return response;
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      const text = await readText(response, signal, provider);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new UpstreamProtocolError('The upstream response is not valid JSON', { provider, cause: error });
      }
      return mapOpenAIResponse(json, provider, usage);
    },

    async *stream(request, signal) {
      const response = await send(request, true, signal);
      let readToEnd = false;
      try {
        yield* openAIStreamParts(response.body, { provider, usage, signal });
        readToEnd = true;
      } finally {
        // Stopping early already destroyed the body (the async iterator's return()); dump() makes
        // sure of the connection in any other case. Not awaited: a hung upstream must not hold the caller.
        if (!readToEnd) void response.dump();
      }
    },
  };
}

async function readText(response: HttpResponse, signal: AbortSignal, provider: string): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(error, signal, provider);
  }
}

/** Network failures and aborts, worded without the upstream's address. */
function transportError(error: unknown, signal: AbortSignal, provider: string): GatewayError {
  if (error instanceof GatewayError) return error;
  if (signal.aborted) return new CancelledError(undefined, { provider, cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === 'string' ? ` (${code})` : '';
  return new UpstreamError(`The request to the upstream failed${suffix}`, { provider, cause: error });
}
