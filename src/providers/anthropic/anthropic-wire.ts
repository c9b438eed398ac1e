// Minimal shapes of what the Anthropic Messages API returns, holding only the fields the adapter
// reads. Follows the Messages API reference ("Create a Message" response) and the "Streaming
// Messages" event list. Every field is optional: it comes off the wire unchecked, and unknown
// block, delta and event types must pass through harmlessly.

/** `usage`. `input_tokens` excludes cache reads and writes, which are reported beside it. */
export interface AnthropicWireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  /** The cache writes split by lifetime (their sum is cache_creation_input_tokens). */
  cache_creation?: { ephemeral_5m_input_tokens?: number | null; ephemeral_1h_input_tokens?: number | null } | null;
  /** Newer models report thinking tokens here (a subset of output_tokens). */
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** A content block: text, tool_use, thinking or redacted_thinking (others are ignored). */
export interface AnthropicWireContentBlock {
  type?: string;
  /** text */
  text?: string;
  /** tool_use */
  id?: string;
  name?: string;
  input?: unknown;
  /** thinking */
  thinking?: string;
  signature?: string;
  /** redacted_thinking */
  data?: string;
}

/** A non-streaming Message, and the `message` of a message_start event. */
export interface AnthropicWireMessage {
  id?: string;
  model?: string;
  content?: AnthropicWireContentBlock[];
  stop_reason?: string | null;
  usage?: AnthropicWireUsage;
}

export interface AnthropicWireErrorBody {
  type?: string;
  error?: { type?: string; message?: string };
}

/** content_block_delta's `delta`: text_delta, input_json_delta, thinking_delta or signature_delta. */
export interface AnthropicWireDelta {
  type?: string;
  text?: string;
  partial_json?: string;
  thinking?: string;
  signature?: string;
}

/** One `data:` payload of the event stream; its `type` repeats the SSE event name. */
export interface AnthropicWireStreamEvent extends AnthropicWireErrorBody {
  type?: string;
  /** message_start */
  message?: AnthropicWireMessage;
  /** content_block_start / _delta / _stop */
  index?: number;
  content_block?: AnthropicWireContentBlock;
  /** content_block_delta: AnthropicWireDelta; message_delta: { stop_reason } */
  delta?: AnthropicWireDelta & { stop_reason?: string | null };
  /** message_delta */
  usage?: AnthropicWireUsage;
}

/** The body of POST /v1/messages/count_tokens ("Count tokens in a Message"). */
export interface AnthropicWireTokenCount {
  input_tokens?: number | null;
}
