// Which embedding body a Bedrock model takes, and the Titan body and response mapping (the Cohere
// Embed body and response are mapped by ../cohere/map-cohere-embeddings.ts).
import type { EmbeddingRequest } from '../../core/embeddings.ts';
import { InvalidRequestError } from '../../core/errors.ts';
import { checkEmbeddingVectors, tokenCount } from '../shared/post-embedding-request.ts';
import type { TitanEmbeddingRequest, TitanEmbeddingResponseWire } from './bedrock-embeddings-wire.ts';

export type BedrockEmbeddingFamily = 'titan-v2' | 'titan-v1' | 'cohere';

/**
 * Model ids, inference profiles (`us.cohere.embed-v4:0`) and ARNs all name the base model, so the
 * family is read from the id. Other models have no embedding body this adapter knows.
 */
export function bedrockEmbeddingFamily(model: string, providerId: string): BedrockEmbeddingFamily {
  if (model.includes('cohere.embed')) return 'cohere';
  if (/amazon\.titan-embed-(text-v1|g1-text)/.test(model)) return 'titan-v1';
  if (model.includes('amazon.titan-embed-text')) return 'titan-v2';
  throw new InvalidRequestError(`Bedrock model "${model}" is not an embedding model this gateway can call (Amazon Titan Text Embeddings or Cohere Embed)`, {
    provider: providerId,
  });
}

export function buildTitanEmbeddingRequest(request: EmbeddingRequest, text: string, family: 'titan-v2' | 'titan-v1', providerId: string): TitanEmbeddingRequest {
  if (family === 'titan-v1') {
    if (request.dimensions !== undefined) throw new InvalidRequestError(`Titan Embeddings G1 cannot shorten its vectors; do not send dimensions`, { provider: providerId });
    return { inputText: text };
  }
  // Normalised vectors (the model's default, stated so the answer does not depend on it) compare by dot product.
  return { inputText: text, ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}), normalize: true };
}

export function mapTitanEmbeddingResponse(body: TitanEmbeddingResponseWire, providerId: string): { vector: number[]; inputTokens: number | null } {
  const [vector] = checkEmbeddingVectors([body.embedding], 1, providerId);
  return { vector: vector!, inputTokens: tokenCount(body.inputTextTokenCount) };
}
