// Minimal InvokeModel bodies of the Bedrock embedding models: Amazon Titan Text Embeddings
// (Bedrock user guide, "Amazon Titan Embeddings G1 - Text": V2 and G1 request/response) and Cohere
// Embed, whose body is Cohere's own (see ../cohere/cohere-embeddings-wire.ts).

/** Titan Text Embeddings V2; G1 (v1) takes `inputText` alone. One text per call. */
export interface TitanEmbeddingRequest {
  inputText: string;
  /** 1024 (default), 512 or 256. */
  dimensions?: number;
  normalize?: boolean;
}

export interface TitanEmbeddingResponseWire {
  embedding?: unknown;
  inputTextTokenCount?: number | null;
}

/** InvokeModel responses carry the token counts in these headers, whatever the model. */
export const bedrockInputTokenCountHeader = 'x-amzn-bedrock-input-token-count';
