// Canonical embedding types and the port every embeddings wire protocol implements. Like the
// chat types, nothing here knows about a provider's wire format or about GraphQL.

/** What the vectors are for; providers that take a task type tune the embedding to it. */
export const EMBEDDING_INPUT_TYPES = ['QUERY', 'DOCUMENT', 'CLASSIFICATION', 'CLUSTERING'] as const;
export type EmbeddingInputType = (typeof EMBEDDING_INPUT_TYPES)[number];

/** A request addressed to one upstream model. `model` is the provider's own model id. */
export interface EmbeddingRequest {
  model: string;
  /** One vector is returned per input, in this order. */
  input: string[];
  /** The vector length wanted, for models that can shorten their output. */
  dimensions?: number;
  inputType?: EmbeddingInputType;
  /** End-user id, as OpenAI's `user` takes it. */
  user?: string;
}

export interface EmbeddingUsage {
  inputTokens: number;
}

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  vectors: number[][];
  /** Null when the upstream reports no token count (the Gemini API); the service estimates it then. */
  usage: EmbeddingUsage | null;
  /** The model id the upstream reported, when it sent one. */
  model: string | null;
}

/**
 * One wire protocol's implementation of embeddings. Throws a GatewayError when the upstream
 * refuses the request or answers with something that is not one vector per input; honours the
 * AbortSignal by closing the upstream connection.
 */
export interface EmbeddingAdapter {
  embed(request: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult>;
}

/**
 * A provider-neutral estimate of the tokens in the inputs (about 4 characters per token, at least
 * one per input), as estimatePromptTokens makes for chat. Used for reservations, and for billing
 * only when the upstream reports no count.
 */
export function estimateEmbeddingTokens(input: readonly string[]): number {
  let tokens = 0;
  for (const text of input) tokens += Math.max(1, Math.ceil(text.length / 4));
  return tokens;
}

/** The estimate of the longest input alone: what must fit a deployment's context window. */
export function longestInputTokens(input: readonly string[]): number {
  let longest = 0;
  for (const text of input) longest = Math.max(longest, text.length);
  return Math.max(1, Math.ceil(longest / 4));
}
