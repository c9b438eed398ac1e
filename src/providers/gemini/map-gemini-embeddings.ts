// EmbeddingRequest -> embedContent (one input) or batchEmbedContents (several) bodies, and their
// responses -> EmbeddingResult.
import type { EmbeddingInputType, EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.ts';
import { checkEmbeddingVectors, tokenCount } from '../shared/post-embedding-request.ts';
import type {
  GeminiBatchEmbedContentsRequest,
  GeminiBatchEmbedContentsResponse,
  GeminiEmbedContentRequest,
  GeminiEmbedContentResponse,
  GeminiEmbeddingTaskType,
} from './gemini-embeddings-wire.ts';

const taskTypeByInputType: Record<EmbeddingInputType, GeminiEmbeddingTaskType> = {
  QUERY: 'RETRIEVAL_QUERY',
  DOCUMENT: 'RETRIEVAL_DOCUMENT',
  CLASSIFICATION: 'CLASSIFICATION',
  CLUSTERING: 'CLUSTERING',
};

export function mapGeminiTaskType(inputType: EmbeddingInputType): GeminiEmbeddingTaskType {
  return taskTypeByInputType[inputType];
}

/** A bare model id goes under `models/`; a full resource name (`tunedModels/x`) is used as is. */
export function geminiModelResource(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

function contentRequest(request: EmbeddingRequest, text: string, model: string | undefined): GeminiEmbedContentRequest {
  return {
    ...(model !== undefined ? { model } : {}),
    content: { parts: [{ text }] },
    ...(request.inputType !== undefined ? { taskType: mapGeminiTaskType(request.inputType) } : {}),
    ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
  };
}

export function buildGeminiEmbedContentRequest(request: EmbeddingRequest): GeminiEmbedContentRequest {
  return contentRequest(request, request.input[0] ?? '', undefined);
}

export function buildGeminiBatchEmbedContentsRequest(request: EmbeddingRequest): GeminiBatchEmbedContentsRequest {
  const model = geminiModelResource(request.model);
  return { requests: request.input.map((text) => contentRequest(request, text, model)) };
}

export function mapGeminiEmbeddingsResponse(
  body: GeminiEmbedContentResponse & GeminiBatchEmbedContentsResponse,
  inputs: number,
  providerId: string,
): EmbeddingResult {
  const embeddings = inputs === 1 && body.embedding != null ? [body.embedding] : body.embeddings;
  const vectors = checkEmbeddingVectors(Array.isArray(embeddings) ? embeddings.map((embedding) => embedding?.values) : undefined, inputs, providerId);
  // The Gemini API reports no token usage for embeddings (its responses carry only the vectors),
  // so the service estimates the count; Vertex AI's usageMetadata is read when it is there.
  const promptTokens = tokenCount(body.usageMetadata?.promptTokenCount);
  return { vectors, usage: promptTokens === null ? null : { inputTokens: promptTokens }, model: null };
}
