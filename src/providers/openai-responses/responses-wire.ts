// The fields of OpenAI's Responses API (POST /v1/responses) this adapter reads or writes (OpenAI
// API reference, "Responses": the response object, its output items, usage and streaming events).
// Unknown fields pass untouched.

export interface ResponsesWireUsage {
  /** Every prompt token; input_tokens_details.cached_tokens is a subset. */
  input_tokens?: number | null;
  /** cached_tokens (read) and, in newer answers, cache_write_tokens: both subsets of input_tokens. */
  input_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  /** Every generated token; output_tokens_details.reasoning_tokens is a subset. */
  output_tokens?: number | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
  total_tokens?: number | null;
}

export type ResponsesWireOutputItem =
  | { type: 'message'; id?: string; role?: string; content?: Array<{ type?: string; text?: string; refusal?: string }> | null }
  | { type: 'function_call'; id?: string; call_id?: string; name?: string; arguments?: string }
  | { type: 'reasoning'; id?: string; summary?: Array<{ type?: string; text?: string }> | null; encrypted_content?: string | null }
  | { type: string; id?: string };

export interface ResponsesWireError {
  code?: string | null;
  message?: string | null;
}

export interface ResponsesWireResponse {
  id?: string | null;
  model?: string | null;
  status?: string | null;
  output?: ResponsesWireOutputItem[] | null;
  incomplete_details?: { reason?: string | null } | null;
  error?: ResponsesWireError | null;
  usage?: ResponsesWireUsage | null;
}

/** A streamed event: its `type` says which of the fields below it carries. */
export interface ResponsesWireEvent {
  type?: string;
  response?: ResponsesWireResponse | null;
  output_index?: number;
  item?: ResponsesWireOutputItem | null;
  delta?: string;
  /** `error` events. */
  code?: string | null;
  message?: string | null;
}
