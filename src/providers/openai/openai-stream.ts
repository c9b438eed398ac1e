// A Chat Completions SSE body -> StreamParts (OpenAI API reference, "The chat completion chunk
// object" and "stream_options"). Chunks are `data: {json}` events ending with `data: [DONE]`;
// with include_usage the usage arrives in a last chunk whose `choices` is empty, after the chunk
// that carries finish_reason, so `usage` and `finish` are held back until the stream ends.
// Nothing here throws: a broken or malformed stream ends with an `error` part.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { FinishReason, StreamPart, Usage } from '../../core/types.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { createSseStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { SseEvent } from '../shared/sse.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { mapOpenAIUsage, type UsageConvention } from './map-openai-usage.ts';
import { openAIContentReasoning, openAIContentText } from './openai-content-text.ts';
import { openAIErrorFromBody } from './openai-error.ts';
import type { OpenAIChunkWire, OpenAIMessageWire, OpenAIToolCallWire } from './openai-wire.ts';

export interface OpenAIStreamOptions {
  provider: string;
  usage: UsageConvention;
  /** When the caller aborted, a broken body ends the parts with a CANCELLED error. */
  signal?: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/** SSE events through the shared pipeline, mapped by OpenAIStreamState. */
export function createOpenAIStreamDecoder(options: OpenAIStreamOptions): BodyDecoder<StreamPart> {
  return createSseStreamDecoder(new OpenAIStreamState(options), { providerId: options.provider, signal: options.signal, maxEventLength: options.maxEventLength });
}

interface OpenToolCall {
  index: number;
  id: string;
  name: string;
  started: boolean;
  /** Arguments received before the call's name, sent once it starts. */
  pendingArguments: string;
}

class OpenAIStreamState implements StreamStateMachine<SseEvent> {
  readonly progress = new StreamProgress();
  private metadataSent = false;
  /** Open calls by the upstream's own index. */
  private readonly calls = new Map<number, OpenToolCall>();
  private nextIndex = 0;
  private finishReason: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(private readonly options: OpenAIStreamOptions) {}

  accept(event: SseEvent, parts: StreamPart[]): void {
    if (event.data === '') return;
    if (event.data === '[DONE]') {
      // Done: the rest of the body is read, not acted on, so the connection goes back to the pool.
      this.terminate(true, parts);
      return;
    }
    const chunk = parseJsonObject(event.data) as OpenAIChunkWire | undefined;
    if (chunk === undefined) {
      this.fail(new UpstreamProtocolError('The upstream sent a malformed stream event', { provider: this.options.provider }), parts);
      return;
    }
    if (event.event === 'error' || chunk.error != null) {
      this.failMidStream(chunk, parts);
      return;
    }

    if (!this.metadataSent) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: chunk.id ?? null, model: chunk.model ?? null });
    }
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (usage) this.usage = mapOpenAIUsage(usage, this.options.usage);

    // Only the first choice is followed (the gateway never asks for n > 1).
    const choice = chunk.choices?.find((c) => (c.index ?? 0) === 0);
    if (choice === undefined) return;
    if (choice.delta) this.acceptDelta(choice.delta, parts);
    if (choice.finish_reason) {
      this.endToolCalls(parts);
      this.finishReason = mapOpenAIFinishReason(choice.finish_reason);
    }
  }

  end(parts: StreamPart[]): void {
    this.terminate(false, parts);
  }

  /** The answer was complete; only the trailing usage chunk or [DONE] may be lost. */
  broken(error: GatewayError, parts: StreamPart[]): void {
    if (this.finishReason !== undefined) this.terminate(false, parts);
    else this.fail(error, parts);
  }

  /** Adds the terminal parts: usage then finish, or an error when the stream stopped short. */
  private terminate(sawDone: boolean, parts: StreamPart[]): void {
    if (this.finishReason === undefined && !sawDone) {
      if (this.usage) parts.push({ type: 'usage', usage: this.usage });
      this.fail(new UpstreamProtocolError('The upstream stream ended before it finished', { provider: this.options.provider }), parts);
      return;
    }
    this.progress.status = 'done';
    this.endToolCalls(parts);
    if (this.usage) parts.push({ type: 'usage', usage: this.usage });
    parts.push({ type: 'finish', finishReason: this.finishReason ?? mapOpenAIFinishReason(null) });
  }

  private acceptDelta(delta: OpenAIMessageWire, parts: StreamPart[]): void {
    // Servers that send both names carry the same text in each; take one.
    const reasoning = delta.reasoning_content || delta.reasoning || openAIContentReasoning(delta.content);
    if (reasoning) parts.push({ type: 'reasoning-delta', text: reasoning });
    const text = openAIContentText(delta.content);
    if (text) parts.push({ type: 'text-delta', text });
    if (delta.tool_calls) {
      for (const [position, toolCall] of delta.tool_calls.entries()) this.acceptToolCall(toolCall, position, parts);
    }
  }

  /** The first delta of a call carries id and name; later ones carry pieces of the arguments. */
  private acceptToolCall(delta: OpenAIToolCallWire, position: number, parts: StreamPart[]): void {
    const key = delta.index ?? position;
    let call = this.calls.get(key);
    // A new id under an index already in use is a new call (servers that omit `index` send 0 each time).
    if (call !== undefined && delta.id && call.id && delta.id !== call.id) {
      this.endToolCall(key, call, parts);
      call = undefined;
    }
    if (call === undefined) {
      call = { index: this.nextIndex++, id: delta.id ?? '', name: '', started: false, pendingArguments: '' };
      this.calls.set(key, call);
    }
    if (!call.id && delta.id) call.id = delta.id;
    if (!call.name && delta.function?.name) call.name = delta.function.name;
    const argumentsDelta = delta.function?.arguments ?? '';
    if (!call.started) {
      if (!call.name) {
        call.pendingArguments += argumentsDelta;
        return;
      }
      this.startToolCall(call, parts);
    }
    if (argumentsDelta) parts.push({ type: 'tool-call-delta', index: call.index, argumentsDelta });
  }

  private startToolCall(call: OpenToolCall, parts: StreamPart[]): void {
    call.started = true;
    parts.push({ type: 'tool-call-start', index: call.index, id: call.id || `call_${call.index}`, name: call.name });
    if (call.pendingArguments) parts.push({ type: 'tool-call-delta', index: call.index, argumentsDelta: call.pendingArguments });
    call.pendingArguments = '';
  }

  private endToolCall(key: number, call: OpenToolCall, parts: StreamPart[]): void {
    if (!call.started) this.startToolCall(call, parts);
    parts.push({ type: 'tool-call-end', index: call.index });
    this.calls.delete(key);
  }

  private endToolCalls(parts: StreamPart[]): void {
    for (const [key, call] of this.calls) this.endToolCall(key, call, parts);
  }

  /**
   * OpenRouter ends a stream that failed after it started with a chunk carrying `error` and,
   * often, the final `usage` (OpenRouter docs, "Errors"), possibly after a chunk with a
   * finish_reason. That usage is what the upstream bills, so it goes out before the error, and
   * the finish reason already received goes with it.
   */
  private failMidStream(chunk: OpenAIChunkWire, parts: StreamPart[]): void {
    const usage = chunk.usage ?? chunk.x_groq?.usage;
    if (usage) this.usage = mapOpenAIUsage(usage, this.options.usage);
    if (this.usage) parts.push({ type: 'usage', usage: this.usage, final: usage !== undefined });
    if (this.finishReason) parts.push({ type: 'finish', finishReason: this.finishReason });
    this.fail(openAIErrorFromBody(chunk.error ?? chunk, this.options.provider), parts);
  }

  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    parts.push(errorPart(error));
  }
}

function errorPart(error: GatewayError): StreamPart {
  return { type: 'error', error };
}
