// The Gemini API embeddings adapter: models/{model}:embedContent for one input and
// :batchEmbedContents for several, authenticated with x-goog-api-key.
import type { EmbeddingAdapter } from '../../core/embeddings.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { postEmbeddingRequest } from '../shared/post-embedding-request.ts';
import { defaultGeminiBaseUrl } from './create-gemini-adapter.ts';
import { geminiError } from './gemini-error.ts';
import type { GeminiBatchEmbedContentsResponse, GeminiEmbedContentResponse } from './gemini-embeddings-wire.ts';
import {
  buildGeminiBatchEmbedContentsRequest,
  buildGeminiEmbedContentRequest,
  geminiModelResource,
  mapGeminiEmbeddingsResponse,
} from './map-gemini-embeddings.ts';

export function createGeminiEmbeddingAdapter(options: AdapterOptions): EmbeddingAdapter {
  const providerId = options.providerId;
  const baseUrl = (options.baseUrl ?? defaultGeminiBaseUrl).replace(/\/+$/, '');
  const headers: Record<string, string> = {
    ...options.headers,
    ...(options.apiKey === undefined ? {} : { 'x-goog-api-key': options.apiKey }),
    'content-type': 'application/json',
  };
  return {
    async embed(request, signal) {
      const single = request.input.length === 1;
      const resource = geminiModelResource(request.model);
      const { body } = await postEmbeddingRequest({
        http: options.http,
        url: `${baseUrl}/${resource}:${single ? 'embedContent' : 'batchEmbedContents'}`,
        headers,
        body: single ? buildGeminiEmbedContentRequest(request) : buildGeminiBatchEmbedContentsRequest(request),
        signal,
        providerId,
        upstreamName: 'The Gemini API',
        toStatusError: ({ status, headers: responseHeaders, text }) => geminiError({ status, headers: responseHeaders, body: text, providerId }),
      });
      return mapGeminiEmbeddingsResponse(body as GeminiEmbedContentResponse & GeminiBatchEmbedContentsResponse, request.input.length, providerId);
    },
  };
}
