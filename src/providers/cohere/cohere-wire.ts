// Minimal Cohere Chat API v2 wire shapes (POST /v2/chat), following the API reference
// (https://docs.cohere.com/reference/chat and .../chat-stream) and the generated types of the
// official SDKs: what the adapter writes, and only the response fields it reads. Response fields
// are all optional: they come off the wire unchecked.

export type CohereUserContent = Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'low' | 'high' } }>;

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | CohereUserContent }
  | { role: 'assistant'; content?: string; tool_calls?: CohereToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  tools?: CohereTool[];
  strict_tools?: boolean;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: { type: 'json_object'; json_schema?: Record<string, unknown> };
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  p?: number;
  seed?: number;
  thinking?: { type: 'enabled'; token_budget?: number } | { type: 'disabled' };
  stream?: true;
}

/** `usage`: what was billed, what the model processed, and the prompt tokens served from cache. */
export interface CohereWireUsage {
  billed_units?: { input_tokens?: number | null; output_tokens?: number | null } | null;
  tokens?: { input_tokens?: number | null; output_tokens?: number | null } | null;
  cached_tokens?: number | null;
}

/** An assistant content item: text, or thinking on reasoning models. */
export interface CohereWireContent {
  type?: string;
  text?: string;
  thinking?: string;
}

export interface CohereWireToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

/** The non-streamed response. */
export interface CohereWireChatResponse {
  id?: string;
  finish_reason?: string;
  message?: {
    role?: string;
    content?: CohereWireContent[];
    tool_plan?: string;
    tool_calls?: CohereWireToolCall[];
  };
  usage?: CohereWireUsage;
}

/** One `data:` payload of the stream; `type` repeats the SSE event name. */
export interface CohereWireStreamEvent {
  type?: string;
  id?: string;
  index?: number;
  delta?: {
    message?: {
      content?: CohereWireContent;
      tool_plan?: string;
      tool_calls?: CohereWireToolCall;
    };
    finish_reason?: string;
    usage?: CohereWireUsage;
    error?: string;
  };
}

/** Error bodies: `{"message"}`, or `{"id","message"}` on newer endpoints. */
export interface CohereWireErrorBody {
  id?: string;
  message?: string;
}
