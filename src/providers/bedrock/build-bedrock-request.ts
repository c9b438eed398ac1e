// ChatRequest -> the body of POST /model/{modelId}/converse (and /converse-stream, whose body is the
// same), following the Converse API reference and the tool-use, reasoning and structured-output
// guides of the Bedrock user guide.
import type { ChatRequest, ReasoningOptions, ToolChoice } from '../../core/types.ts';
import type { BedrockConverseRequest, BedrockToolConfig } from './bedrock-wire.ts';
import { convertToBedrockMessages } from './convert-to-bedrock-messages.ts';

/** Anthropic's extended-thinking guide: budget_tokens is at least 1024 and below max_tokens. */
const minimumThinkingBudget = 1024;
const thinkingBudgetByEffort = { minimal: 1024, low: 1024, medium: 4096, high: 16384 } as const;

/**
 * Reasoning is a model-specific field (additionalModelRequestFields). Only Anthropic's Claude
 * models take `thinking` with a token budget; other model families have their own fields, so they
 * get none rather than a field they would reject.
 */
const takesAnthropicThinking = (modelId: string) => /anthropic\.claude|claude/i.test(modelId);

/**
 * `user`, `metadata`, `seed` and `parallelToolCalls` have no Converse counterpart and are not
 * sent. Converse has no "none" tool choice, so a `none` choice sends no tools at all. There is no
 * schema-less JSON mode, so `json_object` is not mapped; `json_schema` becomes outputConfig.
 */
export function buildBedrockRequest(request: ChatRequest): BedrockConverseRequest {
  const { system, messages } = convertToBedrockMessages(request.messages);
  const body: BedrockConverseRequest = { messages };
  if (system.length > 0) body.system = system;

  const budget = request.reasoning !== undefined && takesAnthropicThinking(request.model) ? thinkingBudget(request.reasoning) : undefined;
  const inferenceConfig: NonNullable<BedrockConverseRequest['inferenceConfig']> = {};
  if (request.maxOutputTokens !== undefined || budget !== undefined) {
    const requested = request.maxOutputTokens ?? 4096;
    // maxTokens includes the thinking budget; when the caller's limit leaves no room for an
    // answer after the budget, the answer gets the caller's limit on top of it.
    inferenceConfig.maxTokens = budget !== undefined && requested <= budget ? budget + requested : requested;
  }
  // Thinking is incompatible with temperature changes (extended-thinking guide).
  if (request.temperature !== undefined && budget === undefined) inferenceConfig.temperature = request.temperature;
  if (request.topP !== undefined) inferenceConfig.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) inferenceConfig.stopSequences = request.stop;
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;

  const toolConfig = buildToolConfig(request);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  if (budget !== undefined) body.additionalModelRequestFields = { thinking: { type: 'enabled', budget_tokens: budget } };

  const format = request.responseFormat;
  if (format?.type === 'json_schema') {
    body.outputConfig = {
      textFormat: {
        type: 'json_schema',
        structure: {
          jsonSchema: {
            schema: JSON.stringify(format.schema),
            name: format.name,
            ...(format.description === undefined ? {} : { description: format.description }),
          },
        },
      },
    };
  }
  return body;
}

function buildToolConfig(request: ChatRequest): BedrockToolConfig | undefined {
  if (request.tools === undefined || request.tools.length === 0 || request.toolChoice === 'none') return undefined;
  const config: BedrockToolConfig = {
    tools: request.tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        inputSchema: { json: tool.parameters },
      },
    })),
  };
  const choice = toolChoice(request.toolChoice);
  if (choice !== undefined) config.toolChoice = choice;
  return config;
}

function toolChoice(choice: ToolChoice | undefined): BedrockToolConfig['toolChoice'] {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (typeof choice === 'object') return { tool: { name: choice.name } };
  return undefined;
}

function thinkingBudget(reasoning: ReasoningOptions): number {
  const budget = reasoning.budgetTokens ?? thinkingBudgetByEffort[reasoning.effort ?? 'medium'];
  return Math.max(minimumThinkingBudget, Math.floor(budget));
}
