// A validated Responses body (and the stored conversation it continues) -> the core's
// CompletionRequest. `instructions` become the leading system message of this turn only, as
// OpenAI does with previous_response_id.
import type { CompletionRequest } from '../../../core/completion-service.ts';
import { jsonSchemaFormat, type ReasoningEffort, type ResponseFormat, type ToolChoice } from '../../../core/types.ts';
import { convertResponsesInput } from './convert-responses-input.ts';
import type { ResponsesInputItem, ResponsesRequest, ResponsesTextFormat } from './responses-request-schema.ts';

export interface ConvertedResponsesRequest {
  completion: CompletionRequest;
  /** This turn's input items (a string input becomes one user message), as they are stored. */
  inputItems: ResponsesInputItem[];
}

export function convertResponsesRequest(body: ResponsesRequest, priorItems: readonly ResponsesInputItem[] = []): ConvertedResponsesRequest {
  const inputItems: ResponsesInputItem[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? []);
  const messages = [
    ...(body.instructions ? [{ role: 'system' as const, content: body.instructions }] : []),
    ...convertResponsesInput([...priorItems, ...inputItems], priorItems.length),
  ];
  const tools = body.tools?.map((tool) => ({
    name: tool.name,
    parameters: tool.parameters ?? { type: 'object', properties: {} },
    ...(tool.description != null ? { description: tool.description } : {}),
    ...(tool.strict != null ? { strict: tool.strict } : {}),
  }));
  const effort = coreEffort(body.reasoning?.effort);
  const format = body.text?.format;

  return {
    inputItems,
    completion: {
      model: body.model,
      parameters: {
        messages,
        ...(tools?.length ? { tools } : {}),
        ...(body.tool_choice != null ? { toolChoice: toToolChoice(body.tool_choice) } : {}),
        ...(body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
        ...(format != null && format.type !== 'text' ? { responseFormat: toResponseFormat(format) } : {}),
        ...(effort ? { reasoning: { effort } } : {}),
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { topP: body.top_p } : {}),
        ...(body.max_output_tokens != null ? { maxOutputTokens: body.max_output_tokens } : {}),
        ...(body.user != null ? { user: body.user } : {}),
        ...(body.metadata != null ? { metadata: body.metadata } : {}),
      },
    },
  };
}

function toToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.name };
}

function toResponseFormat(format: Exclude<ResponsesTextFormat, { type: 'text' }>): ResponseFormat {
  if (format.type === 'json_object') return { type: 'json_object' };
  return jsonSchemaFormat(format);
}

/** "none" turns reasoning off; the core's scale tops out at "high". */
function coreEffort(effort: NonNullable<ResponsesRequest['reasoning']>['effort']): ReasoningEffort | undefined {
  if (effort == null || effort === 'none') return undefined;
  return effort === 'xhigh' ? 'high' : effort;
}
