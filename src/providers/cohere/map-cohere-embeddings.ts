// EmbeddingRequest -> the Cohere Embed body, and the response -> EmbeddingResult. Used for Cohere's
// own API and for Cohere Embed models on Amazon Bedrock.
import type { EmbeddingInputType, EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.ts';
import { checkEmbeddingVectors, tokenCount } from '../shared/post-embedding-request.ts';
import type { CohereEmbedBody, CohereEmbedInputType, CohereEmbedResponseWire } from './cohere-embeddings-wire.ts';

const cohereInputTypes: Record<EmbeddingInputType, CohereEmbedInputType> = {
  QUERY: 'search_query',
  DOCUMENT: 'search_document',
  CLASSIFICATION: 'classification',
  CLUSTERING: 'clustering',
};

/** input_type is required by Embed v3 and later; without one, texts are embedded as documents (the common indexing case). */
export function mapCohereInputType(inputType: EmbeddingInputType | undefined): CohereEmbedInputType {
  return cohereInputTypes[inputType ?? 'DOCUMENT'];
}

export function buildCohereEmbedBody(request: EmbeddingRequest): CohereEmbedBody {
  return {
    texts: request.input,
    input_type: mapCohereInputType(request.inputType),
    embedding_types: ['float'],
    ...(request.dimensions !== undefined ? { output_dimension: request.dimensions } : {}),
  };
}

/** `inputTokens` is the count when the body carries none (Bedrock sends it in a header); null when neither has one. */
export function mapCohereEmbedResponse(body: CohereEmbedResponseWire, inputs: number, providerId: string, inputTokens: number | null = null): EmbeddingResult {
  const embeddings = Array.isArray(body.embeddings) ? body.embeddings : body.embeddings?.float;
  const vectors = checkEmbeddingVectors(embeddings, inputs, providerId);
  const billed = tokenCount(body.meta?.billed_units?.input_tokens) ?? inputTokens;
  return { vectors, usage: billed === null ? null : { inputTokens: billed }, model: null };
}
