// A Responses API response object -> ChatResult, and the pieces the stream shares with it: usage
// (input_tokens includes cached_tokens, output_tokens includes reasoning_tokens, as the core
// counts) and the finish reason (status + incomplete_details.reason; a completed response with a
// function call finished for its tool calls).
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { ChatResult, FinishReason, Usage } from '../../core/types.ts';
import { openAIErrorFromBody } from '../openai/openai-error.ts';
import { ReplyContent } from '../shared/reply-content.ts';
import type { ResponsesWireOutputItem, ResponsesWireResponse, ResponsesWireUsage } from './responses-wire.ts';

export function mapResponsesUsage(usage: ResponsesWireUsage | null | undefined): Usage {
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cachedInputTokens: count(usage?.input_tokens_details?.cached_tokens),
    cacheWriteTokens: count(usage?.input_tokens_details?.cache_write_tokens),
    reasoningTokens: count(usage?.output_tokens_details?.reasoning_tokens),
  };
}

export function mapResponsesFinish(response: ResponsesWireResponse, sawToolCall: boolean): FinishReason {
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason ?? null;
    if (reason === 'max_output_tokens') return { unified: 'LENGTH', raw: reason };
    if (reason === 'content_filter') return { unified: 'CONTENT_FILTER', raw: reason };
    return { unified: 'OTHER', raw: reason };
  }
  if (response.status === 'completed') return { unified: sawToolCall ? 'TOOL_CALLS' : 'STOP', raw: 'completed' };
  return { unified: 'OTHER', raw: response.status ?? null };
}

/** A failed response's error (`response.failed`, or status "failed" in a JSON answer). */
export function responsesFailure(response: ResponsesWireResponse, provider: string): GatewayError {
  if (response.error) return openAIErrorFromBody(response.error, provider);
  return new UpstreamProtocolError(`The upstream response ended with status ${response.status ?? 'unknown'}`, { provider });
}

export function mapResponsesResponse(body: unknown, provider: string): ChatResult {
  if (typeof body !== 'object' || body === null) throw new UpstreamProtocolError('The upstream response is not a JSON object', { provider });
  const response = body as ResponsesWireResponse;
  if (response.status === 'failed') throw responsesFailure(response, provider);
  const content = new ReplyContent();
  for (const item of response.output ?? []) {
    if (isMessage(item)) content.text += outputText(item);
    else if (isFunctionCall(item)) content.toolCalls.push({ id: item.call_id ?? item.id ?? `call_${content.toolCalls.length}`, name: item.name ?? '', arguments: item.arguments ?? '' });
    else if (isReasoning(item)) {
      content.reasoning += summaryText(item);
      if (item.encrypted_content) content.redacted(item.encrypted_content);
    }
  }
  return content.result({
    id: response.id ?? null,
    model: response.model ?? null,
    finishReason: mapResponsesFinish(response, content.toolCalls.length > 0),
    usage: mapResponsesUsage(response.usage),
  });
}

export const isMessage = (item: ResponsesWireOutputItem): item is Extract<ResponsesWireOutputItem, { type: 'message' }> => item.type === 'message';
export const isFunctionCall = (item: ResponsesWireOutputItem): item is Extract<ResponsesWireOutputItem, { type: 'function_call' }> => item.type === 'function_call';
export const isReasoning = (item: ResponsesWireOutputItem): item is Extract<ResponsesWireOutputItem, { type: 'reasoning' }> => item.type === 'reasoning';

function outputText(item: Extract<ResponsesWireOutputItem, { type: 'message' }>): string {
  return (item.content ?? []).map((part) => (part.type === 'output_text' ? (part.text ?? '') : '')).join('');
}

/** Summary parts joined by a blank line, as they read as paragraphs. */
export function summaryText(item: Extract<ResponsesWireOutputItem, { type: 'reasoning' }>): string {
  return (item.summary ?? []).map((part) => part.text ?? '').filter((text) => text !== '').join('\n\n');
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
