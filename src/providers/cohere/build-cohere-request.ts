// ChatRequest -> the body of POST /v2/chat, following the Chat API reference and the tool-use,
// structured-outputs and reasoning guides.
import type { ChatRequest, ReasoningEffort } from '../../core/types.ts';
import type { CohereChatRequest, CohereTool } from './cohere-wire.ts';
import { convertToCohereMessages } from './convert-to-cohere-messages.ts';

/** Thinking budgets for an effort given without budgetTokens (Cohere takes only a budget). */
const thinkingBudgetByEffort: Record<ReasoningEffort, number> = { minimal: 512, low: 1024, medium: 4096, high: 16384 };

/**
 * `user`, `metadata` and `parallelToolCalls` have no Cohere counterpart and are not sent. Cohere's
 * tool_choice is only REQUIRED or NONE; a choice of one named tool is sent as REQUIRED with that
 * tool alone, which forces the same call.
 */
export function buildCohereRequest(request: ChatRequest, options: { stream: boolean }): CohereChatRequest {
  const body: CohereChatRequest = { model: request.model, messages: convertToCohereMessages(request.messages) };
  const choice = request.toolChoice;
  const tools = (request.tools ?? []).filter((tool) => typeof choice !== 'object' || tool.name === choice.name);
  if (tools.length > 0) {
    body.tools = tools.map(
      (tool): CohereTool => ({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parameters: tool.parameters,
        },
      }),
    );
    if (tools.some((tool) => tool.strict === true)) body.strict_tools = true;
    if (choice === 'required' || typeof choice === 'object') body.tool_choice = 'REQUIRED';
    if (choice === 'none') body.tool_choice = 'NONE';
  }
  const format = request.responseFormat;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') body.response_format = { type: 'json_object', json_schema: format.schema };
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.p = request.topP;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.reasoning !== undefined) {
    const budget = request.reasoning.budgetTokens ?? (request.reasoning.effort === undefined ? undefined : thinkingBudgetByEffort[request.reasoning.effort]);
    body.thinking = budget === 0 ? { type: 'disabled' } : { type: 'enabled', ...(budget === undefined ? {} : { token_budget: budget }) };
  }
  if (options.stream) body.stream = true;
  return body;
}
