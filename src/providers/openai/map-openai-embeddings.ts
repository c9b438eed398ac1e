// EmbeddingRequest -> the Embeddings request body, and the response body -> EmbeddingResult.
// OpenAI has no task type: `inputType` is not sent.
import type { EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.ts';
import { checkEmbeddingVectors, tokenCount } from '../shared/post-embedding-request.ts';
import type { OpenAIEmbeddingsRequestBody, OpenAIEmbeddingsResponseWire } from './openai-embeddings-wire.ts';

export function buildOpenAIEmbeddingsRequest(request: EmbeddingRequest, options: { userField: boolean }): OpenAIEmbeddingsRequestBody {
  return {
    model: request.model,
    input: request.input,
    encoding_format: 'float',
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(request.user !== undefined && options.userField ? { user: request.user } : {}),
  };
}

export function mapOpenAIEmbeddingsResponse(body: OpenAIEmbeddingsResponseWire, inputs: number, providerId: string): EmbeddingResult {
  // `data` is in input order per the reference; `index` says so explicitly, so sort by it when present.
  const data = Array.isArray(body.data) ? [...body.data] : [];
  if (data.every((item) => typeof item?.index === 'number')) data.sort((a, b) => a.index! - b.index!);
  const vectors = checkEmbeddingVectors(body.data == null ? undefined : data.map((item) => item?.embedding), inputs, providerId);
  // A zero count for non-empty input means the server does not count (some local servers send 0).
  const promptTokens = tokenCount(body.usage?.prompt_tokens);
  return {
    vectors,
    usage: promptTokens === null || promptTokens === 0 ? null : { inputTokens: promptTokens },
    model: typeof body.model === 'string' ? body.model : null,
  };
}
