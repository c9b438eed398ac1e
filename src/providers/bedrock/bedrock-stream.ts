// ConverseStream events -> stream parts, following ConverseStreamOutput in the API reference:
// messageStart, then per content block an optional contentBlockStart (tool use only),
// contentBlockDelta... (text, toolUse.input pieces, reasoningContent text / signature /
// redactedContent) and contentBlockStop, then messageStop {stopReason} and metadata {usage}.
// Exception events (throttlingException, validationException, ...) end the stream with a typed
// error. A stream that ends before messageStop was cut off. Unknown events are ignored.
import { CancelledError, GatewayError, UpstreamError, UpstreamProtocolError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { bedrockStreamException } from './bedrock-error.ts';
import type { BedrockWireStreamEvent, BedrockWireUsage } from './bedrock-wire.ts';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.ts';
import { mapBedrockUsage } from './map-bedrock-usage.ts';
import { readBedrockEventStream } from './read-bedrock-event-stream.ts';

export interface BedrockStreamOptions {
  providerId: string;
  signal: AbortSignal;
  /** The x-amzn-requestid response header, reported as the response id. */
  requestId: string | null;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

type OpenBlock =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'reasoning'; text: string; signature: string; redacted: string };

/** Never throws: a broken connection, a bad frame or an exception event ends in an error part. */
export async function* bedrockStream(body: AsyncIterable<Uint8Array>, options: BedrockStreamOptions): AsyncGenerator<StreamPart> {
  const state = new BedrockStreamState(options);
  try {
    for await (const message of readBedrockEventStream(body, options.providerId, options.maxEventLength)) {
      if (message.kind === 'event') {
        yield* state.read(message.eventType, message.payload as BedrockWireStreamEvent);
      } else if (message.kind === 'exception') {
        yield* state.fail(bedrockStreamException(message.exceptionType, message.message, options.providerId));
        return;
      } else {
        yield* state.fail(
          new UpstreamError(message.message ?? `Bedrock sent error ${message.errorCode}`, { provider: options.providerId, upstreamCode: message.errorCode }),
        );
        return;
      }
    }
  } catch (error) {
    const aborted = options.signal.aborted || (error instanceof Error && error.name === 'AbortError');
    yield* state.fail(
      aborted
        ? new CancelledError(undefined, { provider: options.providerId })
        : error instanceof GatewayError
          ? error
          : new UpstreamProtocolError('The Bedrock stream broke off', { provider: options.providerId, cause: error }),
    );
    return;
  }
  yield* state.end();
}

class BedrockStreamState {
  private metadataSent = false;
  private readonly blocks = new Map<number, OpenBlock>();
  private nextToolIndex = 0;
  private stopReason: string | undefined;
  private usage: BedrockWireUsage | undefined;

  constructor(private readonly options: BedrockStreamOptions) {}

  *read(eventType: string, event: BedrockWireStreamEvent): Generator<StreamPart> {
    if (!this.metadataSent) {
      this.metadataSent = true;
      yield { type: 'response-metadata', id: this.options.requestId, model: null };
    }
    const index = event.contentBlockIndex ?? 0;
    switch (eventType) {
      case 'contentBlockStart':
        if (event.start?.toolUse !== undefined) {
          const toolIndex = this.nextToolIndex++;
          this.blocks.set(index, { kind: 'tool', toolIndex, sentArguments: false });
          yield { type: 'tool-call-start', index: toolIndex, id: event.start.toolUse.toolUseId ?? '', name: event.start.toolUse.name ?? '' };
        }
        return;
      case 'contentBlockDelta':
        yield* this.delta(index, event.delta ?? {});
        return;
      case 'contentBlockStop':
        yield* this.stopBlock(index);
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
  *end(): Generator<StreamPart> {
    if (this.stopReason === undefined) {
      yield* this.fail(new UpstreamProtocolError('The Bedrock stream ended before messageStop', { provider: this.options.providerId }));
      return;
    }
    yield { type: 'usage', usage: mapBedrockUsage(this.usage) };
    yield { type: 'finish', finishReason: mapBedrockStopReason(this.stopReason) };
  }

  /** Reports the usage seen so far (so a broken stream is still metered), then the error. */
  *fail(error: GatewayError): Generator<StreamPart> {
    if (this.usage !== undefined) yield { type: 'usage', usage: mapBedrockUsage(this.usage) };
    yield { type: 'error', error };
  }

  private *delta(index: number, delta: NonNullable<BedrockWireStreamEvent['delta']>): Generator<StreamPart> {
    let block = this.blocks.get(index);
    if (delta.text !== undefined) {
      if (block === undefined) this.blocks.set(index, { kind: 'text' });
      if (delta.text !== '') yield { type: 'text-delta', text: delta.text };
    } else if (delta.toolUse !== undefined) {
      if (block?.kind === 'tool' && delta.toolUse.input) {
        block.sentArguments = true;
        yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: delta.toolUse.input };
      }
    } else if (delta.reasoningContent !== undefined) {
      if (block?.kind !== 'reasoning') {
        block = { kind: 'reasoning', text: '', signature: '', redacted: '' };
        this.blocks.set(index, block);
      }
      const { text, signature, redactedContent } = delta.reasoningContent;
      if (text) {
        block.text += text;
        yield { type: 'reasoning-delta', text };
      }
      block.signature += signature ?? '';
      block.redacted += redactedContent ?? '';
    }
  }

  private *stopBlock(index: number): Generator<StreamPart> {
    const block = this.blocks.get(index);
    this.blocks.delete(index);
    if (block?.kind === 'tool') {
      // A call without arguments still has a JSON object for them.
      if (!block.sentArguments) yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: '{}' };
      yield { type: 'tool-call-end', index: block.toolIndex };
    } else if (block?.kind === 'reasoning') {
      if (block.redacted !== '') yield { type: 'reasoning-block', block: { type: 'redacted', data: block.redacted } };
      else yield { type: 'reasoning-block', block: { type: 'thinking', text: block.text, ...(block.signature === '' ? {} : { signature: block.signature }) } };
    }
  }
}
