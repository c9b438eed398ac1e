import { CancelledError, GatewayError, UpstreamProtocolError } from '../../core/errors.ts';
import type { FinishReason, StreamPart } from '../../core/types.ts';
import { parseSse } from '../shared/sse.ts';
import { anthropicError } from './anthropic-error.ts';
import type { AnthropicWireContentBlock, AnthropicWireDelta, AnthropicWireStreamEvent, AnthropicWireUsage } from './anthropic-wire.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';
import { mergeAnthropicUsage, normaliseAnthropicUsage } from './normalise-anthropic-usage.ts';

// Anthropic's "Streaming Messages" doc: message_start, then per content block
// content_block_start / content_block_delta... / content_block_stop, then message_delta (stop
// reason, cumulative usage) and message_stop; `ping` may come anywhere and `error` may end it.
// Unknown event, block and delta types are ignored, as the doc asks for forward compatibility.

type OpenBlock =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'thinking'; text: string; signature: string }
  | { kind: 'redacted'; data: string }
  | { kind: 'other' };

interface StreamState {
  providerId: string;
  /** Open blocks by content block index. */
  blocks: Map<number, OpenBlock>;
  /** Tool calls are numbered 0, 1, ... in order, whatever their content block index. */
  nextToolIndex: number;
  usage: AnthropicWireUsage | undefined;
  finishReason: FinishReason;
  /** Set by message_stop or an error event; later events are ignored. */
  ended: boolean;
}

export interface AnthropicStreamOptions {
  providerId: string;
  signal: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/**
 * Turns the response body of a streaming Messages call into parts. Never throws: a broken
 * connection, malformed JSON or a stream without message_stop becomes a final `error` part.
 */
export async function* streamAnthropicParts(
  body: AsyncIterable<Uint8Array>,
  options: AnthropicStreamOptions,
): AsyncGenerator<StreamPart> {
  const state: StreamState = {
    providerId: options.providerId,
    blocks: new Map(),
    nextToolIndex: 0,
    usage: undefined,
    finishReason: mapAnthropicStopReason(null),
    ended: false,
  };
  try {
    for await (const sse of parseSse(body, options.maxEventLength)) {
      // After message_stop, read on to the end of the body so the connection can be reused.
      if (state.ended) continue;
      const event = parseEvent(sse.data);
      if (event === undefined) {
        yield errorPart(new UpstreamProtocolError('Anthropic sent a stream event that is not JSON', { provider: options.providerId }));
        return;
      }
      yield* mapEvent(state, { ...event, type: event.type ?? sse.event });
    }
  } catch (error) {
    if (state.ended) return;
    yield errorPart(
      options.signal.aborted
        ? new CancelledError(undefined, { provider: options.providerId })
        : error instanceof GatewayError
          ? error
          : new UpstreamProtocolError('The Anthropic stream broke off before message_stop', { provider: options.providerId, cause: error }),
    );
    return;
  }
  if (!state.ended) {
    yield errorPart(new UpstreamProtocolError('The Anthropic stream ended before message_stop', { provider: options.providerId }));
  }
}

function parseEvent(data: string): AnthropicWireStreamEvent | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as AnthropicWireStreamEvent) : undefined;
  } catch {
    return undefined;
  }
}

function* mapEvent(state: StreamState, event: AnthropicWireStreamEvent): Generator<StreamPart> {
  switch (event.type) {
    case 'message_start':
      state.usage = mergeAnthropicUsage(undefined, event.message?.usage);
      yield { type: 'response-metadata', id: event.message?.id ?? null, model: event.message?.model ?? null };
      return;
    case 'content_block_start':
      yield* startBlock(state, event.index ?? 0, event.content_block ?? {});
      return;
    case 'content_block_delta':
      yield* applyDelta(state, event.index ?? 0, event.delta ?? {});
      return;
    case 'content_block_stop':
      yield* stopBlock(state, event.index ?? 0);
      return;
    case 'message_delta':
      if (event.delta?.stop_reason !== undefined) state.finishReason = mapAnthropicStopReason(event.delta.stop_reason);
      state.usage = mergeAnthropicUsage(state.usage, event.usage);
      return;
    case 'message_stop':
      state.ended = true;
      yield { type: 'usage', usage: normaliseAnthropicUsage(state.usage) };
      yield { type: 'finish', finishReason: state.finishReason };
      return;
    case 'error':
      state.ended = true;
      yield errorPart(anthropicError({ providerId: state.providerId, body: event }));
      return;
    default:
      // ping, and event types added after this adapter was written
      return;
  }
}

function* startBlock(state: StreamState, index: number, block: AnthropicWireContentBlock): Generator<StreamPart> {
  switch (block.type) {
    case 'text':
      state.blocks.set(index, { kind: 'text' });
      if (block.text) yield { type: 'text-delta', text: block.text };
      return;
    case 'tool_use': {
      const toolIndex = state.nextToolIndex++;
      // The start carries `input: {}`; the arguments follow as input_json_delta pieces.
      const prefilled = isNonEmptyObject(block.input);
      state.blocks.set(index, { kind: 'tool', toolIndex, sentArguments: prefilled });
      yield { type: 'tool-call-start', index: toolIndex, id: block.id ?? '', name: block.name ?? '' };
      if (prefilled) yield { type: 'tool-call-delta', index: toolIndex, argumentsDelta: JSON.stringify(block.input) };
      return;
    }
    case 'thinking':
      state.blocks.set(index, { kind: 'thinking', text: block.thinking ?? '', signature: block.signature ?? '' });
      if (block.thinking) yield { type: 'reasoning-delta', text: block.thinking };
      return;
    case 'redacted_thinking':
      state.blocks.set(index, { kind: 'redacted', data: block.data ?? '' });
      return;
    default:
      state.blocks.set(index, { kind: 'other' });
      return;
  }
}

function* applyDelta(state: StreamState, index: number, delta: AnthropicWireDelta): Generator<StreamPart> {
  const block = state.blocks.get(index);
  switch (delta.type) {
    case 'text_delta':
      if (delta.text) yield { type: 'text-delta', text: delta.text };
      return;
    case 'input_json_delta':
      // The first piece is usually "", which carries nothing.
      if (block?.kind === 'tool' && delta.partial_json) {
        block.sentArguments = true;
        yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: delta.partial_json };
      }
      return;
    case 'thinking_delta':
      if (block?.kind === 'thinking') block.text += delta.thinking ?? '';
      if (delta.thinking) yield { type: 'reasoning-delta', text: delta.thinking };
      return;
    case 'signature_delta':
      if (block?.kind === 'thinking') block.signature += delta.signature ?? '';
      return;
    default:
      return;
  }
}

function* stopBlock(state: StreamState, index: number): Generator<StreamPart> {
  const block = state.blocks.get(index);
  state.blocks.delete(index);
  if (block?.kind === 'tool') {
    // A call without arguments streams only "": its arguments are still a JSON object.
    if (!block.sentArguments) yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: '{}' };
    yield { type: 'tool-call-end', index: block.toolIndex };
  } else if (block?.kind === 'thinking') {
    yield {
      type: 'reasoning-block',
      block: { type: 'thinking', text: block.text, ...(block.signature === '' ? {} : { signature: block.signature }) },
    };
  } else if (block?.kind === 'redacted') {
    yield { type: 'reasoning-block', block: { type: 'redacted', data: block.data } };
  }
}

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

function errorPart(error: GatewayError): StreamPart {
  return { type: 'error', error };
}
