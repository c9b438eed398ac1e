// A Responses API event stream -> StreamParts (OpenAI API reference, "Streaming events"). Each SSE
// event's data is a typed event: output_text / reasoning_summary_text / function_call_arguments
// deltas, output_item.added / .done around each item (a function call opens and closes; a
// reasoning item's encrypted_content comes whole in its .done), and one terminal event:
// response.completed or response.incomplete (usage and finish), response.failed or `error`.
// Nothing here throws: a broken or malformed stream ends with an `error` part.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { openAIErrorFromBody } from '../openai/openai-error.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { createSseStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { SseEvent } from '../shared/sse.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import { isFunctionCall, isReasoning, mapResponsesFinish, mapResponsesUsage, responsesFailure } from './map-responses-response.ts';
import type { ResponsesWireEvent, ResponsesWireResponse } from './responses-wire.ts';

export interface ResponsesStreamOptions {
  provider: string;
  signal?: AbortSignal;
  maxEventLength?: number | undefined;
}

export function createResponsesStreamDecoder(options: ResponsesStreamOptions): BodyDecoder<StreamPart> {
  return createSseStreamDecoder(new ResponsesStreamState(options), { providerId: options.provider, signal: options.signal, maxEventLength: options.maxEventLength });
}

interface OpenCall {
  index: number;
  /** Whether argument deltas arrived (else the .done item's arguments are sent whole). */
  streamed: boolean;
}

class ResponsesStreamState implements StreamStateMachine<SseEvent> {
  readonly progress = new StreamProgress();
  private metadataSent = false;
  /** Open function calls by output_index. */
  private readonly calls = new Map<number, OpenCall>();
  private nextIndex = 0;
  private sawToolCall = false;

  constructor(private readonly options: ResponsesStreamOptions) {}

  accept(event: SseEvent, parts: StreamPart[]): void {
    if (event.data === '' || event.data === '[DONE]') return;
    const data = parseJsonObject(event.data) as ResponsesWireEvent | undefined;
    if (data === undefined) {
      this.fail(new UpstreamProtocolError('The upstream sent a malformed stream event', { provider: this.options.provider }), parts);
      return;
    }
    const outputIndex = data.output_index ?? -1;
    switch (data.type) {
      case 'response.created':
      case 'response.in_progress':
        this.sendMetadata(data.response, parts);
        return;
      case 'response.output_text.delta':
        if (data.delta) parts.push({ type: 'text-delta', text: data.delta });
        return;
      case 'response.reasoning_summary_part.added':
        // Summary parts read as paragraphs; the non-streaming mapper joins them the same way.
        if (((data as { summary_index?: number }).summary_index ?? 0) > 0) parts.push({ type: 'reasoning-delta', text: '\n\n' });
        return;
      case 'response.reasoning_summary_text.delta':
        if (data.delta) parts.push({ type: 'reasoning-delta', text: data.delta });
        return;
      case 'response.output_item.added':
        if (data.item && isFunctionCall(data.item)) {
          const call: OpenCall = { index: this.nextIndex++, streamed: false };
          this.calls.set(outputIndex, call);
          this.sawToolCall = true;
          parts.push({ type: 'tool-call-start', index: call.index, id: data.item.call_id ?? data.item.id ?? `call_${call.index}`, name: data.item.name ?? '' });
        }
        return;
      case 'response.function_call_arguments.delta': {
        const call = this.calls.get(outputIndex);
        if (call && data.delta) {
          call.streamed = true;
          parts.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: data.delta });
        }
        return;
      }
      case 'response.output_item.done':
        this.itemDone(outputIndex, data, parts);
        return;
      case 'response.completed':
      case 'response.incomplete':
        this.finish(data.response ?? {}, parts);
        return;
      case 'response.failed': {
        const response = data.response ?? {};
        if (response.usage) parts.push({ type: 'usage', usage: mapResponsesUsage(response.usage), final: true });
        this.fail(responsesFailure(response, this.options.provider), parts);
        return;
      }
      case 'error':
        this.fail(openAIErrorFromBody({ code: data.code ?? null, message: data.message ?? 'The upstream stream failed' }, this.options.provider), parts);
        return;
      default:
        // content_part.added/.done, output_text.done, annotations, ...: nothing the core keeps.
        return;
    }
  }

  private sendMetadata(response: ResponsesWireResponse | null | undefined, parts: StreamPart[]): void {
    if (this.metadataSent) return;
    this.metadataSent = true;
    parts.push({ type: 'response-metadata', id: response?.id ?? null, model: response?.model ?? null });
  }

  private itemDone(outputIndex: number, data: ResponsesWireEvent, parts: StreamPart[]): void {
    const item = data.item;
    if (!item) return;
    if (isReasoning(item) && item.encrypted_content) parts.push({ type: 'reasoning-block', block: { type: 'redacted', data: item.encrypted_content } });
    const call = this.calls.get(outputIndex);
    if (call === undefined || !isFunctionCall(item)) return;
    if (!call.streamed && item.arguments) parts.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: item.arguments });
    parts.push({ type: 'tool-call-end', index: call.index });
    this.calls.delete(outputIndex);
  }

  private finish(response: ResponsesWireResponse, parts: StreamPart[]): void {
    this.sendMetadata(response, parts);
    for (const call of this.calls.values()) parts.push({ type: 'tool-call-end', index: call.index });
    this.calls.clear();
    this.progress.status = 'done';
    parts.push({ type: 'usage', usage: mapResponsesUsage(response.usage) });
    parts.push({ type: 'finish', finishReason: mapResponsesFinish(response, this.sawToolCall) });
  }

  end(parts: StreamPart[]): void {
    this.fail(new UpstreamProtocolError('The upstream stream ended before it finished', { provider: this.options.provider }), parts);
  }

  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    parts.push({ type: 'error', error });
  }
}
