import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { FinishReason, StreamPart } from '../../core/types.ts';
import { OpenContentBlocks } from '../shared/open-content-blocks.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { createSseStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { SseEvent } from '../shared/sse.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import { anthropicError } from './anthropic-error.ts';
import type { AnthropicWireContentBlock, AnthropicWireDelta, AnthropicWireStreamEvent, AnthropicWireUsage } from './anthropic-wire.ts';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason.ts';
import { mergeAnthropicUsage, normaliseAnthropicUsage } from './normalise-anthropic-usage.ts';

// Anthropic's "Streaming Messages" doc: message_start, then per content block
// content_block_start / content_block_delta... / content_block_stop, then message_delta (stop
// reason, cumulative usage) and message_stop; `ping` may come anywhere and `error` may end it.
// Unknown event, block and delta types are ignored, as the doc asks for forward compatibility.

export interface AnthropicStreamOptions {
  providerId: string;
  signal?: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/**
 * The body of a streaming Messages call -> parts, through the shared pipeline. A broken
 * connection, malformed JSON or a stream without message_stop becomes a final `error` part.
 */
export function createAnthropicStreamDecoder(options: AnthropicStreamOptions): BodyDecoder<StreamPart> {
  return createSseStreamDecoder(new AnthropicStreamState(options.providerId), options);
}

class AnthropicStreamState implements StreamStateMachine<SseEvent> {
  /** 'done' after message_stop: the rest of the body is read so the connection can be reused. */
  readonly progress = new StreamProgress();
  private readonly blocks = new OpenContentBlocks();
  private usage: AnthropicWireUsage | undefined;
  private finishReason: FinishReason = mapAnthropicStopReason(null);

  constructor(private readonly providerId: string) {}

  accept(sse: SseEvent, parts: StreamPart[]): void {
    const event = parseJsonObject(sse.data) as AnthropicWireStreamEvent | undefined;
    if (event === undefined) {
      this.fail(new UpstreamProtocolError('Anthropic sent a stream event that is not a JSON object', { provider: this.providerId }), parts);
      return;
    }
    switch (event.type ?? sse.event) {
      case 'message_start':
        this.usage = mergeAnthropicUsage(undefined, event.message?.usage);
        parts.push({ type: 'response-metadata', id: event.message?.id ?? null, model: event.message?.model ?? null });
        return;
      case 'content_block_start':
        this.startBlock(event.index ?? 0, event.content_block ?? {}, parts);
        return;
      case 'content_block_delta':
        this.applyDelta(event.index ?? 0, event.delta ?? {}, parts);
        return;
      case 'content_block_stop':
        this.blocks.close(event.index ?? 0, parts);
        return;
      case 'message_delta':
        if (event.delta?.stop_reason !== undefined) this.finishReason = mapAnthropicStopReason(event.delta.stop_reason);
        this.usage = mergeAnthropicUsage(this.usage, event.usage);
        return;
      case 'message_stop':
        this.progress.status = 'done';
        parts.push({ type: 'usage', usage: normaliseAnthropicUsage(this.usage) });
        parts.push({ type: 'finish', finishReason: this.finishReason });
        return;
      case 'error':
        this.fail(anthropicError({ providerId: this.providerId, body: event }), parts);
        return;
      default:
        // ping, and event types added after this adapter was written
        return;
    }
  }

  end(parts: StreamPart[]): void {
    this.fail(new UpstreamProtocolError('The Anthropic stream ended before message_stop', { provider: this.providerId }), parts);
  }

  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    parts.push({ type: 'error', error });
  }

  private startBlock(index: number, block: AnthropicWireContentBlock, parts: StreamPart[]): void {
    switch (block.type) {
      case 'text':
        this.blocks.open(index, { kind: 'text' });
        if (block.text) parts.push({ type: 'text-delta', text: block.text });
        return;
      case 'tool_use': {
        const tool = this.blocks.openTool(index, block.id ?? '', block.name ?? '', parts);
        // The start carries `input: {}`; the arguments follow as input_json_delta pieces.
        if (isNonEmptyObject(block.input)) this.blocks.toolArguments(tool, JSON.stringify(block.input), parts);
        return;
      }
      case 'thinking':
        this.blocks.openReasoning(index, block.thinking ?? '', block.signature ?? '');
        if (block.thinking) parts.push({ type: 'reasoning-delta', text: block.thinking });
        return;
      case 'redacted_thinking':
        this.blocks.openReasoning(index, '', '', block.data ?? '');
        return;
      default:
        this.blocks.open(index, { kind: 'other' });
        return;
    }
  }

  private applyDelta(index: number, delta: AnthropicWireDelta, parts: StreamPart[]): void {
    const block = this.blocks.get(index);
    switch (delta.type) {
      case 'text_delta':
        if (delta.text) parts.push({ type: 'text-delta', text: delta.text });
        return;
      case 'input_json_delta':
        // The first piece is usually "", which carries nothing.
        if (block?.kind === 'tool') this.blocks.toolArguments(block, delta.partial_json, parts);
        return;
      case 'thinking_delta':
        if (block?.kind === 'reasoning') block.text += delta.thinking ?? '';
        if (delta.thinking) parts.push({ type: 'reasoning-delta', text: delta.thinking });
        return;
      case 'signature_delta':
        if (block?.kind === 'reasoning') block.signature += delta.signature ?? '';
        return;
      default:
        return;
    }
  }
}

function isNonEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
