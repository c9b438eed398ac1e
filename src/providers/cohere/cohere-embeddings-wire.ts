// Minimal Cohere Embed API v2 wire shapes (POST /v2/embed, https://docs.cohere.com/reference/embed):
// what the adapter writes and the response fields it reads. Amazon Bedrock's Cohere Embed models
// take the same body without `model` and answer in the same shape.

export type CohereEmbedInputType = 'search_query' | 'search_document' | 'classification' | 'clustering';

export interface CohereEmbedBody {
  texts: string[];
  input_type: CohereEmbedInputType;
  /** Only float is asked for: the gateway hands out float vectors (and base64 of them). */
  embedding_types: ['float'];
  /** Embed v4 and later; earlier models reject it, so it is sent only when asked for. */
  output_dimension?: number;
}

export interface CohereEmbedRequest extends CohereEmbedBody {
  model: string;
}

export interface CohereEmbedResponseWire {
  id?: string | null;
  /** `embeddings_by_type` answers (embedding_types given) carry an object; older `embeddings_floats` ones an array. */
  embeddings?: { float?: unknown } | unknown[] | null;
  meta?: { billed_units?: { input_tokens?: number | null } | null } | null;
}
