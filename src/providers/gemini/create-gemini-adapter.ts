// The Gemini API adapter (models.generateContent and models.streamGenerateContent?alt=sse).
// URL building and authentication are injectable so a Vertex AI adapter can reuse the whole
// mapping with its own endpoints and a bearer token.
import { randomUUID } from 'node:crypto';
import type { GatewayError } from '../../core/errors.ts';
import type { ProviderAdapter, HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { readJsonBody } from '../shared/read-json-body.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { streamResponseParts } from '../shared/stream-response-parts.ts';
import { buildGeminiRequest } from './build-gemini-request.ts';
import { geminiError, geminiStreamError } from './gemini-error.ts';
import { createGeminiStreamDecoder } from './gemini-stream.ts';
import type { GeminiGenerateContentResponse } from './gemini-wire-types.ts';
import { mapGeminiResponse } from './map-gemini-response.ts';
import { transportError } from '../shared/transport-error.ts';

export const defaultGeminiBaseUrl = 'https://generativelanguage.googleapis.com/v1beta';

export interface GeminiAdapterOptions extends AdapterOptions {
  /**
   * The endpoint for a model. Defaults to the Gemini API's
   * `${baseUrl}/models/${model}:generateContent` and `:streamGenerateContent?alt=sse`.
   */
  buildUrl?(model: string, stream: boolean): string;
  /** Headers that authenticate a request. Defaults to `x-goog-api-key: apiKey`; Vertex AI sends a bearer token. */
  authHeaders?(): Record<string, string> | Promise<Record<string, string>>;
  /** Mints ids for function calls Gemini sent without one. Defaults to `call_<index>_<random>`. */
  toolCallId?(index: number): string;
}

export function createGeminiAdapter(options: GeminiAdapterOptions): ProviderAdapter {
  const providerId = options.providerId;
  const baseUrl = options.baseUrl ?? defaultGeminiBaseUrl;
  const buildUrl = options.buildUrl ?? ((model: string, stream: boolean) => geminiModelUrl(baseUrl, model, stream));
  const apiKeyHeaders = (): Record<string, string> =>
    options.apiKey === undefined ? {} : { 'x-goog-api-key': options.apiKey };
  const authHeaders = options.authHeaders ?? apiKeyHeaders;
  const toolCallId = options.toolCallId ?? randomToolCallId;

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    const body = JSON.stringify(buildGeminiRequest(request));
    const headers = { ...options.headers, ...(await authHeaders()), 'content-type': 'application/json' };
    return sendJsonRequest({
      http: options.http,
      url: buildUrl(request.model, stream),
      headers,
      body,
      signal,
      toTransportError: (error) => geminiTransportError(error, signal, providerId),
      toStatusError: ({ status, headers, text }) => geminiError({ status, headers, body: text, providerId }),
      unreadableErrorBody: 'transport-error',
    });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      let body: GeminiGenerateContentResponse;
      try {
        body = (await readJsonBody(response, {
          provider: providerId,
          toTransportError: (error) => geminiTransportError(error, signal, providerId),
          notJsonMessage: 'The upstream answered with a body that is not valid JSON',
        })) as GeminiGenerateContentResponse;
      } finally {
        await response.dump();
      }
      if (body.error !== undefined) throw geminiStreamError(body.error, providerId);
      return mapGeminiResponse(body, toolCallId);
    },

    stream(request, signal) {
      return streamResponseParts(
        () => send(request, true, signal),
        () => createGeminiStreamDecoder({ providerId, toolCallId, signal, maxEventLength: options.http.responseLimitBytes }),
      );
    },
  };
}

/** A bare model id goes under `models/`; a full resource name (`tunedModels/x`) is used as is. */
export function geminiModelUrl(baseUrl: string, model: string, stream: boolean): string {
  const resource = model.includes('/') ? model : `models/${model}`;
  return `${baseUrl}/${resource}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
}

function randomToolCallId(index: number): string {
  return `call_${index}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** A failure to reach the upstream or read its answer; the message leaks no address or internals. */
function geminiTransportError(error: unknown, signal: AbortSignal, providerId: string): GatewayError {
  return transportError(error, signal, providerId, 'The upstream request failed');
}
