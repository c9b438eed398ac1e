// Minimal Gemini API embeddings wire shapes (https://ai.google.dev/api/embeddings): what the
// adapter writes for models.embedContent and models.batchEmbedContents, and the response fields it reads.

export type GeminiEmbeddingTaskType = 'RETRIEVAL_QUERY' | 'RETRIEVAL_DOCUMENT' | 'CLASSIFICATION' | 'CLUSTERING';

export interface GeminiEmbedContentRequest {
  /** Required inside batchEmbedContents (`models/{model}`, the same model as the URL's); absent for embedContent. */
  model?: string;
  content: { parts: Array<{ text: string }> };
  taskType?: GeminiEmbeddingTaskType;
  outputDimensionality?: number;
}

export interface GeminiBatchEmbedContentsRequest {
  requests: GeminiEmbedContentRequest[];
}

interface GeminiContentEmbeddingWire {
  values?: unknown;
}

/** Vertex AI's embedContent adds usageMetadata; the Gemini API sends none. */
interface GeminiEmbeddingUsageWire {
  usageMetadata?: { promptTokenCount?: number | null } | null;
}

export interface GeminiEmbedContentResponse extends GeminiEmbeddingUsageWire {
  embedding?: GeminiContentEmbeddingWire | null;
}

export interface GeminiBatchEmbedContentsResponse extends GeminiEmbeddingUsageWire {
  embeddings?: GeminiContentEmbeddingWire[] | null;
}
