// Chat Completions `finish_reason` -> the unified finish reason, keeping the raw value.
// OpenAI documents stop, length, tool_calls, content_filter and the deprecated function_call;
// the rest are values compatible servers are known to send.
import type { FinishReason } from '../../core/types.ts';
import { mapFinishReason, type FinishReasonTable } from '../shared/map-finish-reason.ts';

const table: FinishReasonTable = {
  stop: 'STOP',
  length: 'LENGTH',
  tool_calls: 'TOOL_CALLS',
  function_call: 'TOOL_CALLS',
  content_filter: 'CONTENT_FILTER',
  // Older Together / TGI deployments.
  eos: 'STOP',
  // Mistral, when the context window rather than max_tokens ran out.
  model_length: 'LENGTH',
  // OpenRouter when the routed provider failed mid-answer; DeepSeek when it ran out of capacity.
  error: 'ERROR',
  insufficient_system_resource: 'ERROR',
};

export function mapOpenAIFinishReason(raw: string | null | undefined): FinishReason {
  return mapFinishReason(table, raw);
}
