// Cohere v2 chat stream -> stream parts. The streaming guide lists the events: message-start,
// then content-start / content-delta... / content-end per content block (text, or thinking on
// reasoning models), tool-plan-delta and tool-call-start / -delta... / -end for tool calls,
// citation-start / -end (not mapped: the canonical model has no citations), and message-end with
// delta.finish_reason and delta.usage. A stream that ends before message-end was cut off.
// Unknown event types are ignored, and a trailing `data: [DONE]` is tolerated.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { createSseStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { SseEvent } from '../shared/sse.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import type { CohereWireStreamEvent } from './cohere-wire.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';
import { mapCohereUsage } from './map-cohere-usage.ts';

export interface CohereStreamOptions {
  providerId: string;
  signal?: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

interface OpenToolCall {
  index: number;
  sentArguments: boolean;
}

/** The SSE body through the shared pipeline, mapped by CohereStreamState. */
export function createCohereStreamDecoder(options: CohereStreamOptions): BodyDecoder<StreamPart> {
  return createSseStreamDecoder(new CohereStreamState(options.providerId), options);
}

/** Never throws: malformed JSON or a missing message-end ends in an error part. */
class CohereStreamState implements StreamStateMachine<SseEvent> {
  /** 'done' after message-end: the rest of the body is read so the connection can be reused. */
  readonly progress = new StreamProgress();
  private metadataSent = false;
  /** Content block kinds by content index. */
  private readonly contentKinds = new Map<number, string>();
  /** Open tool calls by Cohere's tool-call index; our indexes count 0, 1, ... in order. */
  private readonly toolCalls = new Map<number, OpenToolCall>();
  private nextToolIndex = 0;

  constructor(private readonly providerId: string) {}

  accept(sse: SseEvent, parts: StreamPart[]): void {
    if (sse.data.trim() === '[DONE]') return;
    const event = parseJsonObject(sse.data) as CohereWireStreamEvent | undefined;
    if (event === undefined) {
      this.fail(protocolError(this.providerId, 'Cohere sent a stream event that is not a JSON object'), parts);
      return;
    }
    const type = event.type ?? sse.event;
    if (!this.metadataSent) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: type === 'message-start' ? (event.id ?? null) : null, model: null });
    }
    const message = event.delta?.message;
    switch (type) {
      case 'content-start':
        this.contentKinds.set(event.index ?? 0, message?.content?.type ?? 'text');
        this.content(event.index ?? 0, message?.content, parts);
        return;
      case 'content-delta':
        this.content(event.index ?? 0, message?.content, parts);
        return;
      case 'tool-plan-delta':
        // The plan the model states before it calls tools: reasoning, not answer text.
        if (message?.tool_plan) parts.push({ type: 'reasoning-delta', text: message.tool_plan });
        return;
      case 'tool-call-start': {
        const call = message?.tool_calls;
        const open = { index: this.nextToolIndex++, sentArguments: false };
        this.toolCalls.set(event.index ?? open.index, open);
        parts.push({ type: 'tool-call-start', index: open.index, id: call?.id ?? '', name: call?.function?.name ?? '' });
        this.toolArguments(open, call?.function?.arguments, parts);
        return;
      }
      case 'tool-call-delta': {
        const open = this.toolCalls.get(event.index ?? this.nextToolIndex - 1);
        if (open !== undefined) this.toolArguments(open, message?.tool_calls?.function?.arguments, parts);
        return;
      }
      case 'tool-call-end': {
        const key = event.index ?? this.nextToolIndex - 1;
        const open = this.toolCalls.get(key);
        if (open === undefined) return;
        this.toolCalls.delete(key);
        // A call without arguments still has a JSON object for them.
        if (!open.sentArguments) parts.push({ type: 'tool-call-delta', index: open.index, argumentsDelta: '{}' });
        parts.push({ type: 'tool-call-end', index: open.index });
        return;
      }
      case 'message-end':
        this.progress.status = 'done';
        parts.push({ type: 'usage', usage: mapCohereUsage(event.delta?.usage) });
        parts.push({ type: 'finish', finishReason: mapCohereFinishReason(event.delta?.finish_reason) });
        return;
      default:
        // message-start (handled above), content-end, citation-start / -end, later additions
        return;
    }
  }

  end(parts: StreamPart[]): void {
    this.fail(protocolError(this.providerId, 'The Cohere stream ended before message-end'), parts);
  }

  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    parts.push({ type: 'error', error });
  }

  private content(index: number, content: { type?: string; text?: string; thinking?: string } | undefined, parts: StreamPart[]): void {
    if (content === undefined) return;
    const kind = content.type ?? this.contentKinds.get(index) ?? 'text';
    if (kind === 'thinking' || content.thinking !== undefined) {
      if (content.thinking) parts.push({ type: 'reasoning-delta', text: content.thinking });
    } else if (content.text) {
      parts.push({ type: 'text-delta', text: content.text });
    }
  }

  private toolArguments(open: OpenToolCall, piece: string | undefined, parts: StreamPart[]): void {
    if (!piece) return;
    open.sentArguments = true;
    parts.push({ type: 'tool-call-delta', index: open.index, argumentsDelta: piece });
  }
}

function protocolError(providerId: string, message: string): GatewayError {
  return new UpstreamProtocolError(message, { provider: providerId });
}
