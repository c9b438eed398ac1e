import type { GatewayError } from './errors.ts';

// Canonical chat types. Nothing here knows about a provider's wire format or about GraphQL.

export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export type ContentPart =
  | { type: 'text'; text: string; cacheControl?: CacheControl }
  | {
      type: 'image';
      /** An http(s) URL or a data: URL. Exactly one of url / data is set. */
      url?: string;
      /** Base64 bytes without the data: prefix. */
      data?: string;
      mediaType?: string;
      detail?: 'auto' | 'low' | 'high';
    };

/**
 * Reasoning as the provider returned it; signatures are kept so a later turn can send them back.
 * `family` is the provider kind that produced the block (set where adapters enter the core, see
 * reasoning-family.ts): a block with a family is only ever sent back to that family.
 */
export type ReasoningBlock =
  | { type: 'thinking'; text: string; signature?: string; family?: string }
  | { type: 'redacted'; data: string; family?: string };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as a JSON string, exactly as the model produced them. */
  arguments: string;
}

export type Message =
  | { role: 'system'; content: string; cacheControl?: CacheControl }
  | { role: 'user'; content: ContentPart[] }
  | {
      role: 'assistant';
      content: string | null;
      toolCalls?: ToolCall[];
      reasoning?: ReasoningBlock[];
    }
  | { role: 'tool'; toolCallId: string; name?: string; content: string; isError?: boolean };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

/** A json_schema format as the edges read it from a client: an optional field that is null or absent is left out. */
export function jsonSchemaFormat(format: { name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string | null }): ResponseFormat {
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    ...(format.strict != null ? { strict: format.strict } : {}),
    ...(format.description != null ? { description: format.description } : {}),
  };
}

export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

export interface ReasoningOptions {
  effort?: ReasoningEffort;
  /** Token budget for providers that take one (Anthropic thinking, Gemini thinkingBudget). */
  budgetTokens?: number;
}

/** A request addressed to one upstream model. `model` is the provider's own model id. */
export interface ChatRequest {
  model: string;
  messages: Message[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningOptions;
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  stop?: string[];
  seed?: number;
  /** End-user id, as OpenAI's `user` and OpenRouter take it. */
  user?: string;
  metadata?: Record<string, string>;
}

export type FinishReasonUnified = 'STOP' | 'LENGTH' | 'TOOL_CALLS' | 'CONTENT_FILTER' | 'ERROR' | 'OTHER';

export interface FinishReason {
  unified: FinishReasonUnified;
  /** The provider's own value, kept beside the unified one. */
  raw: string | null;
}

/**
 * Normalised usage. `inputTokens` counts every prompt token, including those read from or
 * written to a cache (`cachedInputTokens` and `cacheWriteTokens` are subsets of it).
 * `outputTokens` counts every generated token, including reasoning (`reasoningTokens` is a subset).
 * Adapters convert each provider's convention to this one.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /**
   * The part of `cacheWriteTokens` written with a one-hour lifetime (Anthropic's
   * `cache_creation.ephemeral_1h_input_tokens`), priced apart from five-minute writes. Absent
   * when the provider reports no split: every write is then a default (five-minute) write.
   */
  cacheWrite1hTokens?: number;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
});

export interface ChatResult {
  /** The upstream's response id, when it sent one. */
  id: string | null;
  /** The model id the upstream reported, when it sent one. */
  model: string | null;
  text: string;
  toolCalls: ToolCall[];
  reasoning: string;
  reasoningBlocks: ReasoningBlock[];
  finishReason: FinishReason;
  usage: Usage;
}

/** One part of a stream. Tool-call parts carry a stable `index` per call within the response. */
export type StreamPart =
  | { type: 'response-metadata'; id: string | null; model: string | null }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** Anthropic thinking signature / redacted thinking, for sending back on a later turn. */
  | { type: 'reasoning-block'; block: ReasoningBlock }
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  /**
   * `final`: the upstream's own count for the whole response, to be billed even when the stream
   * then fails (an error chunk that carries the final usage); otherwise a failed stream's usage
   * may be partial and is topped up by an estimate.
   */
  | { type: 'usage'; usage: Usage; final?: boolean }
  | { type: 'finish'; finishReason: FinishReason }
  | { type: 'error'; error: GatewayError };
