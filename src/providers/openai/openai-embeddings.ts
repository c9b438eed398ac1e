// The Embeddings adapter for OpenAI and the OpenAI-compatible providers that serve embeddings:
// POST {baseUrl}/embeddings, or Azure's /deployments/{deployment}/embeddings?api-version=...
// (OpenAI API reference, "Create embeddings"). Endpoint, key and quirks resolve as for chat.
import type { EmbeddingAdapter } from '../../core/embeddings.ts';
import { postEmbeddingRequest } from '../shared/post-embedding-request.ts';
import { buildOpenAIEmbeddingsRequest, mapOpenAIEmbeddingsResponse } from './map-openai-embeddings.ts';
import type { OpenAIAdapterOptions } from './openai-adapter-options.ts';
import type { OpenAIEmbeddingsResponseWire } from './openai-embeddings-wire.ts';
import { openAIErrorFromResponse } from './openai-error.ts';
import { resolveOpenAIEndpoint } from './resolve-openai-endpoint.ts';

export function createOpenAIEmbeddingAdapter(options: OpenAIAdapterOptions): EmbeddingAdapter {
  const endpoint = resolveOpenAIEndpoint(options);
  const providerId = options.providerId;
  return {
    async embed(request, signal) {
      const { body } = await postEmbeddingRequest({
        http: options.http,
        url: endpoint.embeddingsUrl(request.model),
        headers: endpoint.headers,
        body: buildOpenAIEmbeddingsRequest(request, { userField: endpoint.quirks.userField }),
        signal,
        providerId,
        upstreamName: 'The upstream',
        toStatusError: ({ status, headers, text }) => openAIErrorFromResponse(status, headers, text, providerId),
      });
      return mapOpenAIEmbeddingsResponse(body as OpenAIEmbeddingsResponseWire, request.input.length, providerId);
    },
  };
}
