// Cohere v2 chat stream -> stream parts. The streaming guide lists the events: message-start,
// then content-start / content-delta... / content-end per content block (text, or thinking on
// reasoning models), tool-plan-delta and tool-call-start / -delta... / -end for tool calls,
// citation-start / -end (not mapped: the canonical model has no citations), and message-end with
// delta.finish_reason and delta.usage. A stream that ends before message-end was cut off.
// Unknown event types are ignored, and a trailing `data: [DONE]` is tolerated.
import { CancelledError, GatewayError, UpstreamProtocolError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { parseSse } from '../shared/sse.ts';
import type { CohereWireStreamEvent } from './cohere-wire.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';
import { mapCohereUsage } from './map-cohere-usage.ts';

export interface CohereStreamOptions {
  providerId: string;
  signal: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

interface OpenToolCall {
  index: number;
  sentArguments: boolean;
}

/** Never throws: a broken connection, malformed JSON or a missing message-end ends in an error part. */
export async function* cohereStream(body: AsyncIterable<Uint8Array>, options: CohereStreamOptions): AsyncGenerator<StreamPart> {
  const state = new CohereStreamState(options.providerId);
  try {
    for await (const sse of parseSse(body, options.maxEventLength)) {
      if (state.ended || sse.data.trim() === '[DONE]') continue;
      let event: unknown;
      try {
        event = JSON.parse(sse.data);
      } catch (error) {
        yield errorPart(protocolError(options.providerId, 'Cohere sent a stream event that is not JSON', error));
        return;
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        yield errorPart(protocolError(options.providerId, 'Cohere sent a stream event that is not a JSON object'));
        return;
      }
      const typed = event as CohereWireStreamEvent;
      yield* state.read({ ...typed, type: typed.type ?? sse.event });
    }
  } catch (error) {
    if (state.ended) return;
    yield errorPart(
      options.signal.aborted
        ? new CancelledError(undefined, { provider: options.providerId })
        : error instanceof GatewayError
          ? error
          : protocolError(options.providerId, 'The Cohere stream broke off before message-end', error),
    );
    return;
  }
  if (!state.ended) yield errorPart(protocolError(options.providerId, 'The Cohere stream ended before message-end'));
}

class CohereStreamState {
  ended = false;
  private metadataSent = false;
  /** Content block kinds by content index. */
  private readonly contentKinds = new Map<number, string>();
  /** Open tool calls by Cohere's tool-call index; our indexes count 0, 1, ... in order. */
  private readonly toolCalls = new Map<number, OpenToolCall>();
  private nextToolIndex = 0;

  constructor(private readonly providerId: string) {}

  *read(event: CohereWireStreamEvent): Generator<StreamPart> {
    if (!this.metadataSent) {
      this.metadataSent = true;
      yield { type: 'response-metadata', id: event.type === 'message-start' ? (event.id ?? null) : null, model: null };
    }
    const message = event.delta?.message;
    switch (event.type) {
      case 'content-start':
        this.contentKinds.set(event.index ?? 0, message?.content?.type ?? 'text');
        yield* this.content(event.index ?? 0, message?.content);
        return;
      case 'content-delta':
        yield* this.content(event.index ?? 0, message?.content);
        return;
      case 'tool-plan-delta':
        // The plan the model states before it calls tools: reasoning, not answer text.
        if (message?.tool_plan) yield { type: 'reasoning-delta', text: message.tool_plan };
        return;
      case 'tool-call-start': {
        const call = message?.tool_calls;
        const open = { index: this.nextToolIndex++, sentArguments: false };
        this.toolCalls.set(event.index ?? open.index, open);
        yield { type: 'tool-call-start', index: open.index, id: call?.id ?? '', name: call?.function?.name ?? '' };
        yield* this.toolArguments(open, call?.function?.arguments);
        return;
      }
      case 'tool-call-delta': {
        const open = this.toolCalls.get(event.index ?? this.nextToolIndex - 1);
        if (open !== undefined) yield* this.toolArguments(open, message?.tool_calls?.function?.arguments);
        return;
      }
      case 'tool-call-end': {
        const key = event.index ?? this.nextToolIndex - 1;
        const open = this.toolCalls.get(key);
        if (open === undefined) return;
        this.toolCalls.delete(key);
        // A call without arguments still has a JSON object for them.
        if (!open.sentArguments) yield { type: 'tool-call-delta', index: open.index, argumentsDelta: '{}' };
        yield { type: 'tool-call-end', index: open.index };
        return;
      }
      case 'message-end':
        this.ended = true;
        yield { type: 'usage', usage: mapCohereUsage(event.delta?.usage) };
        yield { type: 'finish', finishReason: mapCohereFinishReason(event.delta?.finish_reason) };
        return;
      default:
        // message-start (handled above), content-end, citation-start / -end, later additions
        return;
    }
  }

  private *content(index: number, content: { type?: string; text?: string; thinking?: string } | undefined): Generator<StreamPart> {
    if (content === undefined) return;
    const kind = content.type ?? this.contentKinds.get(index) ?? 'text';
    if (kind === 'thinking' || content.thinking !== undefined) {
      if (content.thinking) yield { type: 'reasoning-delta', text: content.thinking };
    } else if (content.text) {
      yield { type: 'text-delta', text: content.text };
    }
  }

  private *toolArguments(open: OpenToolCall, piece: string | undefined): Generator<StreamPart> {
    if (!piece) return;
    open.sentArguments = true;
    yield { type: 'tool-call-delta', index: open.index, argumentsDelta: piece };
  }
}

function protocolError(providerId: string, message: string, cause?: unknown): GatewayError {
  return new UpstreamProtocolError(message, { provider: providerId, ...(cause === undefined ? {} : { cause }) });
}

function errorPart(error: GatewayError): StreamPart {
  return { type: 'error', error };
}
