// The Embeddings wire format, reduced to the fields this adapter writes or reads (OpenAI API
// reference, "Create embeddings" and "The embedding object"). Responses are typed loosely on
// purpose: compatible servers omit fields or send null.

export interface OpenAIEmbeddingsRequestBody {
  model: string;
  input: string[];
  /** Always float: base64 is only a transport encoding, which the gateway's edges apply themselves. */
  encoding_format: 'float';
  dimensions?: number;
  user?: string;
}

export interface OpenAIEmbeddingsResponseWire {
  model?: string | null;
  data?: Array<{ index?: number | null; embedding?: unknown }> | null;
  usage?: { prompt_tokens?: number | null; total_tokens?: number | null } | null;
}
