// The Cohere Embed API v2 adapter: POST {baseUrl}/v2/embed with bearer auth; billed input tokens
// come back in meta.billed_units.
import type { EmbeddingAdapter } from '../../core/embeddings.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { postEmbeddingRequest } from '../shared/post-embedding-request.ts';
import { cohereEndpoint } from './cohere-endpoint.ts';
import { cohereError } from './cohere-error.ts';
import type { CohereEmbedRequest, CohereEmbedResponseWire } from './cohere-embeddings-wire.ts';
import { buildCohereEmbedBody, mapCohereEmbedResponse } from './map-cohere-embeddings.ts';

export function createCohereEmbeddingAdapter(options: AdapterOptions): EmbeddingAdapter {
  const { url, headers } = cohereEndpoint(options, 'embed');
  const providerId = options.providerId;
  return {
    async embed(request, signal) {
      const body: CohereEmbedRequest = { model: request.model, ...buildCohereEmbedBody(request) };
      const answer = await postEmbeddingRequest({
        http: options.http,
        url,
        headers,
        body,
        signal,
        providerId,
        upstreamName: 'The Cohere API',
        toStatusError: ({ status, headers: responseHeaders, text }) => cohereError({ providerId, status, headers: responseHeaders, body: text }),
      });
      return mapCohereEmbedResponse(answer.body as CohereEmbedResponseWire, request.input.length, providerId);
    },
  };
}
