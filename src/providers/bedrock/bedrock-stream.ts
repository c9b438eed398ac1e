// ConverseStream events -> stream parts, following ConverseStreamOutput in the API reference:
// messageStart, then per content block an optional contentBlockStart (tool use, or a server
// tool's toolResult),
// contentBlockDelta... (text, toolUse.input pieces, reasoningContent text / signature /
// redactedContent) and contentBlockStop, then messageStop {stopReason} and metadata {usage}.
// Exception events (throttlingException, validationException, ...) end the stream with a typed
// error. A stream that ends before messageStop was cut off. Unknown events are ignored.
import type { EventStreamCodec } from '@smithy/core/event-streams';
import { UpstreamError, UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { OpenContentBlocks } from '../shared/open-content-blocks.ts';
import { ProviderStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import { bedrockStreamException } from './bedrock-error.ts';
import type { BedrockWireStreamEvent, BedrockWireUsage } from './bedrock-wire.ts';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.ts';
import { mapBedrockUsage } from './map-bedrock-usage.ts';
import { isServerToolUse } from './server-tool-use.ts';
import { BedrockEventStreamDecoder, type BedrockStreamMessage } from './read-bedrock-event-stream.ts';

export interface BedrockStreamOptions {
  providerId: string;
  signal?: AbortSignal;
  /** Smithy's event-stream codec (loadEventStreamCodec). */
  codec: EventStreamCodec;
  /** The x-amzn-requestid response header, reported as the response id. */
  requestId: string | null;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/** The event-stream body through the shared pipeline, mapped by BedrockStreamState. */
export function createBedrockStreamDecoder(options: BedrockStreamOptions): BodyDecoder<StreamPart> {
  const frames = new BedrockEventStreamDecoder(options.codec, options.providerId, options.maxEventLength);
  return new ProviderStreamDecoder(frames, new BedrockStreamState(options), options);
}

/** Never throws: a bad frame or an exception event ends in an error part. */
class BedrockStreamState implements StreamStateMachine<BedrockStreamMessage> {
  readonly progress = new StreamProgress();
  private metadataSent = false;
  private readonly blocks = new OpenContentBlocks();
  private stopReason: string | undefined;
  private usage: BedrockWireUsage | undefined;

  constructor(private readonly options: BedrockStreamOptions) {}

  accept(message: BedrockStreamMessage, parts: StreamPart[]): void {
    if (message.kind === 'exception') {
      this.fail(bedrockStreamException(message.exceptionType, message.message, this.options.providerId), parts);
      return;
    }
    if (message.kind === 'error') {
      const error = new UpstreamError(message.message ?? `Bedrock sent error ${message.errorCode}`, { provider: this.options.providerId, upstreamCode: message.errorCode });
      this.fail(error, parts);
      return;
    }
    if (!this.metadataSent) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: this.options.requestId, model: null });
    }
    const event = message.payload as BedrockWireStreamEvent;
    const index = event.contentBlockIndex ?? 0;
    switch (message.eventType) {
      case 'contentBlockStart': {
        const toolUse = event.start?.toolUse;
        // A server tool's call and its toolResult are the provider's own work: their deltas are not passed on.
        if (event.start?.toolResult !== undefined || (toolUse !== undefined && isServerToolUse(toolUse.type))) this.blocks.open(index, { kind: 'other' });
        else if (toolUse !== undefined) this.blocks.openTool(index, toolUse.toolUseId ?? '', toolUse.name ?? '', parts);
        return;
      }
      case 'contentBlockDelta':
        this.delta(index, event.delta ?? {}, parts);
        return;
      case 'contentBlockStop':
        this.blocks.close(index, parts);
        return;
      case 'messageStop':
        this.stopReason = event.stopReason ?? '';
        return;
      case 'metadata':
        this.usage = event.usage;
        return;
      default:
        // messageStart (handled above) and event types added later
        return;
    }
  }

  /** Usage comes in `metadata`, after messageStop, so both are reported when the body ends. */
  end(parts: StreamPart[]): void {
    if (this.stopReason === undefined) {
      this.fail(new UpstreamProtocolError('The Bedrock stream ended before messageStop', { provider: this.options.providerId }), parts);
      return;
    }
    this.progress.status = 'done';
    parts.push({ type: 'usage', usage: mapBedrockUsage(this.usage) });
    parts.push({ type: 'finish', finishReason: mapBedrockStopReason(this.stopReason) });
  }

  /** Reports the usage seen so far (so a broken stream is still metered), then the error. */
  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    if (this.usage !== undefined) parts.push({ type: 'usage', usage: mapBedrockUsage(this.usage) });
    parts.push({ type: 'error', error });
  }

  private delta(index: number, delta: NonNullable<BedrockWireStreamEvent['delta']>, parts: StreamPart[]): void {
    const block = this.blocks.get(index);
    if (delta.text !== undefined) {
      if (block === undefined) this.blocks.open(index, { kind: 'text' });
      if (delta.text !== '') parts.push({ type: 'text-delta', text: delta.text });
    } else if (delta.toolUse !== undefined) {
      if (block?.kind === 'tool') this.blocks.toolArguments(block, delta.toolUse.input, parts);
    } else if (delta.reasoningContent !== undefined) {
      const reasoning = block?.kind === 'reasoning' ? block : this.blocks.openReasoning(index);
      const { text, signature, redactedContent } = delta.reasoningContent;
      if (text) {
        reasoning.text += text;
        parts.push({ type: 'reasoning-delta', text });
      }
      reasoning.signature += signature ?? '';
      if (redactedContent) reasoning.redacted = (reasoning.redacted ?? '') + redactedContent;
    }
  }
}
