import type { ChatRequest, ReasoningOptions, ToolChoice, ToolDefinition } from '../../core/types.ts';
import { convertToAnthropicMessages, type AnthropicMessage, type AnthropicTextBlock } from './convert-to-anthropic-messages.ts';

// ChatRequest -> the body of POST /v1/messages, following the Messages API reference and the
// "Tool use", "Extended thinking" and "Structured outputs" guides.

/** The Messages API requires max_tokens; used when the caller sets no limit. */
export const defaultMaxTokens = 4096;

/** Extended-thinking guide: budget_tokens must be at least 1024 and below max_tokens. */
const minimumThinkingBudget = 1024;
const thinkingBudgetByEffort = { minimal: 1024, low: 1024, medium: 4096, high: 16384 } as const;

interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: boolean;
}

type AnthropicToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: AnthropicTextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  thinking?: { type: 'enabled'; budget_tokens: number };
  output_config?: { format: { type: 'json_schema'; schema: Record<string, unknown> } };
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  metadata?: { user_id: string };
  stream?: true;
}

export function buildAnthropicRequest(request: ChatRequest, options: { stream: boolean }): AnthropicRequestBody {
  const { system, messages } = convertToAnthropicMessages(request.messages);
  const budget = request.reasoning === undefined ? undefined : thinkingBudget(request.reasoning);
  const requestedMaxTokens = request.maxOutputTokens ?? defaultMaxTokens;
  const body: AnthropicRequestBody = {
    model: request.model,
    // max_tokens includes the thinking budget; when the caller's limit leaves no room for an
    // answer after the budget, the answer gets the caller's limit on top of it.
    max_tokens: budget !== undefined && requestedMaxTokens <= budget ? budget + requestedMaxTokens : requestedMaxTokens,
    messages,
  };
  if (system.length > 0) body.system = system;
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map(anthropicTool);
    const toolChoice = anthropicToolChoice(request.toolChoice, request.parallelToolCalls);
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
  }
  if (budget !== undefined) body.thinking = { type: 'enabled', budget_tokens: budget };
  // Structured outputs guide (GA form, no beta header): output_config.format constrains the text
  // answer to the schema. There is no schema-less JSON mode, so `json_object` is not mapped.
  if (request.responseFormat?.type === 'json_schema') {
    body.output_config = { format: { type: 'json_schema', schema: request.responseFormat.schema } };
  }
  // Extended-thinking guide: thinking is incompatible with temperature changes, so a caller's
  // default temperature is dropped rather than turned into an upstream 400.
  if (request.temperature !== undefined && budget === undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (options.stream) body.stream = true;
  return body;
}

function thinkingBudget(reasoning: ReasoningOptions): number {
  const budget = reasoning.budgetTokens ?? thinkingBudgetByEffort[reasoning.effort ?? 'medium'];
  return Math.max(minimumThinkingBudget, Math.floor(budget));
}

function anthropicTool(tool: ToolDefinition): AnthropicTool {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.parameters,
    ...(tool.strict === undefined ? {} : { strict: tool.strict }),
  };
}

/**
 * Tool-use guide: auto / any / tool / none; parallel calls are turned off with
 * disable_parallel_tool_use on auto, any or tool (none takes no options).
 */
function anthropicToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const disableParallel = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...disableParallel };
  if (typeof choice === 'object') return { type: 'tool', name: choice.name, ...disableParallel };
  if (choice === 'auto' || parallel === false) return { type: 'auto', ...disableParallel };
  return undefined;
}
