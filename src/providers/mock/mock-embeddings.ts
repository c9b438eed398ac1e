// The mock provider's embeddings: deterministic vectors without any network, so /v1/embeddings and
// createEmbeddings can be tried with the mock configuration. Words are hashed into the vector's
// dimensions (feature hashing), so texts that share words point in similar directions, and the
// same model, text and dimensions always give the same unit vector.
import { createHash } from 'node:crypto';
import { estimateEmbeddingTokens, type EmbeddingAdapter } from '../../core/embeddings.ts';
import { InvalidRequestError } from '../../core/errors.ts';
import { delay } from './delay.ts';

/** The vector length when the request does not ask for one. */
export const MOCK_EMBEDDING_DIMENSIONS = 256;
const MAX_DIMENSIONS = 4096;
/** Each word sets this many dimensions, so that short texts are not one-hot. */
const FEATURES_PER_WORD = 4;

/** The unit vector of a text in a model's (simulated) vector space. */
export function mockEmbedding(model: string, text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    const digest = createHash('sha256').update(model).update('\0').update(word).digest();
    for (let feature = 0; feature < FEATURES_PER_WORD; feature++) {
      const index = digest.readUInt32BE(feature * 5) % dimensions;
      vector[index]! += digest[feature * 5 + 4]! & 1 ? 1 : -1;
    }
  }
  const norm = Math.hypot(...vector);
  // Features that cancelled out entirely: fall back to one dimension, still deterministic.
  if (norm === 0) {
    vector[createHash('sha256').update(model).update('\0').update(text).digest().readUInt32BE(0) % dimensions] = 1;
    return vector;
  }
  return vector.map((value) => value / norm);
}

export function createMockEmbeddingAdapter(options: { latencyMs?: number } = {}): EmbeddingAdapter {
  return {
    async embed(request, signal) {
      const dimensions = request.dimensions ?? MOCK_EMBEDDING_DIMENSIONS;
      if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
        throw new InvalidRequestError(`dimensions: the mock provider makes vectors of 1 to ${MAX_DIMENSIONS} dimensions`);
      }
      await delay(options.latencyMs ?? 0, signal);
      return {
        vectors: request.input.map((text) => mockEmbedding(request.model, text, dimensions)),
        usage: { inputTokens: estimateEmbeddingTokens(request.input) },
        model: request.model,
      };
    },
  };
}
