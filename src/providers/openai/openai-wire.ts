// The Chat Completions wire format, reduced to the fields this adapter writes or reads
// (OpenAI API reference, "Create chat completion" and "The chat completion chunk object").
// Responses are typed loosely on purpose: compatible providers omit fields or send null.

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } };

export interface OpenAIToolCallParam {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type OpenAIMessageParam =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAIContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCallParam[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OpenAIRequestBody {
  model: string;
  messages: OpenAIMessageParam[];
  [field: string]: unknown;
}

export interface OpenAIUsageWire {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** DeepSeek reports cache hits here instead of prompt_tokens_details. */
  prompt_cache_hit_tokens?: number | null;
}

export interface OpenAIToolCallWire {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** A string, or (Mistral's reasoning models) an array of typed chunks. */
export type OpenAIContentWire = string | Array<{ type?: string; text?: string; thinking?: Array<{ type?: string; text?: string }> }> | null | undefined;

export interface OpenAIMessageWire {
  content?: OpenAIContentWire;
  /** DeepSeek, vLLM, Qwen: the model's reasoning text. */
  reasoning_content?: string | null;
  /** OpenRouter, Groq, Ollama: the same under another name. */
  reasoning?: string | null;
  tool_calls?: OpenAIToolCallWire[] | null;
}

export interface OpenAIResponseWire {
  id?: string | null;
  model?: string | null;
  choices?: Array<{ message?: OpenAIMessageWire | null; finish_reason?: string | null }> | null;
  usage?: OpenAIUsageWire | null;
}

export interface OpenAIChunkWire {
  id?: string | null;
  model?: string | null;
  choices?: Array<{ index?: number; delta?: OpenAIMessageWire | null; finish_reason?: string | null }> | null;
  usage?: OpenAIUsageWire | null;
  /** Groq puts stream usage here. */
  x_groq?: { usage?: OpenAIUsageWire | null } | null;
  /** An error reported inside a 200 stream (OpenRouter, vLLM). */
  error?: unknown;
}
