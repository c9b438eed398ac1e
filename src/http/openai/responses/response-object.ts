// The `response` object (OpenAI API reference, "The response object"): what the request asked for,
// echoed, plus the state of the generation. The same builder serves the JSON answer, every
// lifecycle event of a stream and the stored copy, so they cannot disagree.
import type { CompletionOutcome } from '../../../core/completion-service.ts';
import type { GatewayError } from '../../../core/errors.ts';
import type { FinishReason } from '../../../core/types.ts';
import { openAIErrorObject } from '../openai-error-format.ts';
import { convertUsageToResponses } from './convert-usage-to-responses.ts';
import type { ResponsesRequest } from './responses-request-schema.ts';

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export type OutputItem =
  | { type: 'reasoning'; id: string; summary: Array<{ type: 'summary_text'; text: string }>; encrypted_content?: string }
  | {
      type: 'message';
      id: string;
      status: 'in_progress' | 'completed' | 'incomplete';
      role: 'assistant';
      content: Array<{ type: 'output_text'; text: string; annotations: []; logprobs: [] }>;
    }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'in_progress' | 'completed' | 'incomplete' };

/** What a response repeats of its request, fixed when the request is accepted. */
export interface ResponseHeader {
  id: string;
  createdAt: number;
  /** The requested model until one serves. */
  model: string;
  store: boolean;
  request: ResponsesRequest;
}

/** `resp_` and the generation id without dashes; item ids share the suffix. */
export const responseIdFor = (generationId: string) => `resp_${generationId.replaceAll('-', '')}`;
export const itemIdFor = (prefix: 'rs' | 'msg' | 'fc', responseId: string, outputIndex: number) => `${prefix}_${responseId.slice('resp_'.length)}_${outputIndex}`;

export interface ResponseState {
  status: ResponseStatus;
  output: OutputItem[];
  outcome?: CompletionOutcome;
  error?: GatewayError;
  /** For a failed response, the usage and cost of what was produced. */
  usage?: ReturnType<typeof convertUsageToResponses>;
}

export function buildResponseObject(header: ResponseHeader, state: ResponseState) {
  const { request } = header;
  const { outcome } = state;
  return {
    id: header.id,
    object: 'response' as const,
    created_at: header.createdAt,
    status: state.status,
    error: state.error ? { code: openAIErrorObject(state.error).code, message: openAIErrorObject(state.error).message } : null,
    incomplete_details: state.status === 'incomplete' && outcome ? { reason: incompleteReason(outcome.result.finishReason) } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: outcome?.model ?? header.model,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: header.store,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({ ...tool, strict: tool.strict ?? null, description: tool.description ?? null, parameters: tool.parameters ?? null })),
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    usage: outcome ? convertUsageToResponses(outcome.result.usage, outcome.cost) : (state.usage ?? null),
    user: request.user ?? null,
    metadata: request.metadata ?? {},
    // The gateway's additions, as on chat completions.
    ...(outcome ? { provider: outcome.providerId } : {}),
    ...(outcome && outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
  };
}

export type ResponseObject = ReturnType<typeof buildResponseObject>;

/** A finished generation's status: cut short by the token limit or a content filter is `incomplete`. */
export function statusFor(finishReason: FinishReason): 'completed' | 'incomplete' {
  return finishReason.unified === 'LENGTH' || finishReason.unified === 'CONTENT_FILTER' ? 'incomplete' : 'completed';
}

function incompleteReason(finishReason: FinishReason): 'max_output_tokens' | 'content_filter' {
  return finishReason.unified === 'CONTENT_FILTER' ? 'content_filter' : 'max_output_tokens';
}
