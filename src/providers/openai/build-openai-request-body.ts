// ChatRequest -> Chat Completions request body (OpenAI API reference, "Create chat completion"),
// bent by the provider's quirks. Only fields the caller set are written, so each provider's
// own defaults apply to the rest.
import type { ChatRequest, ReasoningOptions, ResponseFormat, ToolChoice } from '../../core/types.ts';
import type { OpenAICompatibleQuirks } from './compatible-providers.ts';
import { convertToOpenAIMessages } from './convert-to-openai-messages.ts';
import type { OpenAIRequestBody } from './openai-wire.ts';

export interface OpenAIBodyOptions {
  quirks: OpenAICompatibleQuirks;
  stream: boolean;
  /** Ask for the trailing usage chunk (`stream_options.include_usage`). */
  includeUsageInStream: boolean;
  /** Send `store: true` and the request metadata (OpenAI only; it rejects metadata unless store is on). */
  store: boolean;
}

export function buildOpenAIRequestBody(request: ChatRequest, options: OpenAIBodyOptions): OpenAIRequestBody {
  const { quirks } = options;
  const body: OpenAIRequestBody = { model: request.model, messages: convertToOpenAIMessages(request.messages) };

  // OpenAI rejects tool_choice and parallel_tool_calls when no tools are given.
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
    if (request.toolChoice !== undefined) body.tool_choice = toolChoice(request.toolChoice);
    if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  }
  if (request.responseFormat !== undefined) body.response_format = responseFormat(request.responseFormat);
  if (request.reasoning !== undefined) Object.assign(body, reasoning(request.reasoning, quirks.reasoning));

  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxOutputTokens !== undefined) body[quirks.maxTokensField] = request.maxOutputTokens;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body[quirks.seedField] = request.seed;
  if (request.user !== undefined && quirks.userField) body.user = request.user;
  if (options.store) {
    body.store = true;
    if (request.metadata !== undefined) body.metadata = request.metadata;
  }

  if (options.stream) {
    body.stream = true;
    if (options.includeUsageInStream) body.stream_options = { include_usage: true };
  }
  return body;
}

function toolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function responseFormat(format: ResponseFormat): unknown {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.strict === undefined ? {} : { strict: format.strict }),
      ...(format.description === undefined ? {} : { description: format.description }),
    },
  };
}

/** OpenAI takes an effort only; OpenRouter takes `reasoning: { effort }` or `reasoning: { max_tokens }`. */
function reasoning(options: ReasoningOptions, style: OpenAICompatibleQuirks['reasoning']): Record<string, unknown> {
  if (style === 'reasoning_effort') return options.effort === undefined ? {} : { reasoning_effort: options.effort };
  if (style === 'openrouter') {
    if (options.effort !== undefined) return { reasoning: { effort: options.effort } };
    if (options.budgetTokens !== undefined) return { reasoning: { max_tokens: options.budgetTokens } };
  }
  return {};
}
