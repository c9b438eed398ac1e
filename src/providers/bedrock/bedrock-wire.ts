// Minimal Bedrock Converse / ConverseStream wire shapes, following the Bedrock Runtime API
// reference (Converse, ConverseStream, Message, ContentBlock, ToolConfiguration,
// InferenceConfiguration, TokenUsage, ConverseStreamOutput): what the adapter writes, and only the
// response fields it reads. Blobs travel as base64 strings in the JSON protocol.

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export type BedrockContentBlock =
  | { text: string }
  | { image: { format: BedrockImageFormat; source: { bytes: string } } }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: Array<{ text: string }>; status?: 'success' | 'error' } }
  | { reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string } }
  /** Prompt caching: caches everything before it. */
  | { cachePoint: { type: 'default' } };

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export type BedrockSystemBlock = { text: string } | { cachePoint: { type: 'default' } };

export interface BedrockToolConfig {
  tools: Array<{ toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } }>;
  toolChoice?: { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };
}

export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: BedrockSystemBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: BedrockToolConfig;
  /** Model-specific fields passed through to the model, e.g. Anthropic's `thinking`. */
  additionalModelRequestFields?: Record<string, unknown>;
  /** Structured output (OutputConfig.textFormat); the schema is a JSON string. */
  outputConfig?: { textFormat: { type: 'json_schema'; structure: { jsonSchema: { schema: string; name?: string; description?: string } } } };
}

/** TokenUsage. `inputTokens` excludes cache reads and writes, which are reported beside it. */
export interface BedrockWireUsage {
  inputTokens?: number | null;
  outputTokens?: number | null;
  totalTokens?: number | null;
  cacheReadInputTokens?: number | null;
  cacheWriteInputTokens?: number | null;
  /** The cache writes by lifetime ("5m" or "1h"), for models that take both (Claude). */
  cacheDetails?: Array<{ inputTokens?: number | null; ttl?: string | null }> | null;
}

/** A response ContentBlock, holding only the fields read. */
export interface BedrockWireContentBlock {
  text?: string;
  /** `type` "server_tool_use": a tool the provider ran itself (Nova's nova_code_interpreter), with its toolResult beside it. */
  toolUse?: { toolUseId?: string; name?: string; input?: unknown; type?: string };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
}

export interface BedrockWireConverseResponse {
  output?: { message?: { role?: string; content?: BedrockWireContentBlock[] } };
  stopReason?: string;
  usage?: BedrockWireUsage;
}

/** The payload of each event-stream event, by its :event-type. */
export interface BedrockWireStreamEvent {
  /** messageStart */
  role?: string;
  /** contentBlockStart / contentBlockDelta / contentBlockStop */
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string; type?: string }; toolResult?: { toolUseId?: string; type?: string } };
  delta?: {
    text?: string;
    toolUse?: { input?: string };
    reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
  };
  /** messageStop */
  stopReason?: string;
  /** metadata */
  usage?: BedrockWireUsage;
}

/** Error bodies: `{"message"}`; some AWS front ends answer `{"Message"}` or add `__type`. */
export interface BedrockWireErrorBody {
  message?: string;
  Message?: string;
  __type?: string;
}
