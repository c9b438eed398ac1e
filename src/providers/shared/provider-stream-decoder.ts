// Bytes -> wire events -> stream parts, synchronously, for every provider. A wire decoder reads
// the framing (SSE, or AWS event-stream for Bedrock); a per-provider state machine maps each event
// to parts. This class owns what is the same for all of them: a framing error, an abort, a broken
// body or a body that ended, and when the rest of the body stops mattering.
import { CancelledError, GatewayError, UpstreamProtocolError } from '../../core/errors.ts';
import type { StreamPart } from '../../core/types.ts';
import { SseDecoder, type SseEvent } from './sse.ts';
import type { BodyDecoder } from './stream-response-parts.ts';

/** Splits a body into events. Throws an UpstreamProtocolError for a frame it cannot read or one over the limit. */
export interface WireDecoder<Event> {
  /** Appends the events this chunk completes to `events`; what it appended before throwing stays valid. */
  push(chunk: Uint8Array, events: Event[]): void;
  /** The body ended; throws when it ended inside a frame that must not be dropped. */
  end?(): void;
}

/**
 * 'open' while parts may follow; 'done' once the protocol's last event arrived (the rest of the
 * body is read, so the connection can be reused, but not acted on); 'failed' once an error part
 * was added (the rest of the body is not read).
 */
export type StreamStatus = 'open' | 'done' | 'failed';

/**
 * A state machine's status, in an object of one shape whatever the provider: the shared decoder
 * reads it after every event, and a read of one shape stays a fast monomorphic load where a
 * field of each provider's own class would be a polymorphic one.
 */
export class StreamProgress {
  status: StreamStatus = 'open';
}

/** One provider's mapping of wire events to stream parts. Never throws: failures are error parts. */
export interface StreamStateMachine<Event> {
  readonly progress: StreamProgress;
  /** Adds the parts one event gives. */
  accept(event: Event, parts: StreamPart[]): void;
  /** The body ended while open: adds the terminal parts, or an error when the stream stopped short. */
  end(parts: StreamPart[]): void;
  /** Adds the error part (after the usage seen so far, where the protocol reports it) and fails. */
  fail(error: GatewayError, parts: StreamPart[]): void;
  /** The body broke while open (not an abort). Defaults to `fail`. */
  broken?(error: GatewayError, parts: StreamPart[]): void;
}

export interface ProviderStreamOptions {
  providerId: string;
  /** Tells a caller's abort apart from a broken connection. */
  signal?: AbortSignal | undefined;
}

const none: StreamPart[] = [];

export class ProviderStreamDecoder<Event> implements BodyDecoder<StreamPart> {
  private readonly progress: StreamProgress;

  constructor(
    private readonly wire: WireDecoder<Event>,
    private readonly state: StreamStateMachine<Event>,
    private readonly options: ProviderStreamOptions,
  ) {
    this.progress = state.progress;
  }

  get failed(): boolean {
    return this.progress.status === 'failed';
  }

  push(chunk: Uint8Array): StreamPart[] {
    const progress = this.progress;
    if (progress.status !== 'open') return none;
    const events: Event[] = [];
    let framingError: unknown;
    try {
      this.wire.push(chunk, events);
    } catch (error) {
      framingError = error;
    }
    const parts: StreamPart[] = [];
    for (let i = 0; i < events.length && progress.status === 'open'; i++) this.state.accept(events[i]!, parts);
    if (framingError !== undefined && progress.status === 'open') this.state.fail(this.protocolError(framingError, 'The upstream sent a stream it cannot read'), parts);
    return parts;
  }

  end(): StreamPart[] {
    if (this.progress.status !== 'open') return none;
    const parts: StreamPart[] = [];
    try {
      this.wire.end?.();
    } catch (error) {
      this.state.fail(this.protocolError(error, 'The upstream stream ended inside an event'), parts);
      return parts;
    }
    this.state.end(parts);
    return parts;
  }

  broken(error: unknown): StreamPart[] {
    if (this.progress.status !== 'open') return none;
    const parts: StreamPart[] = [];
    const { providerId: provider, signal } = this.options;
    if (signal?.aborted === true || (error instanceof Error && error.name === 'AbortError')) {
      this.state.fail(new CancelledError(undefined, { provider }), parts);
    } else if (this.state.broken !== undefined) {
      this.state.broken(this.protocolError(error, 'The upstream connection broke during the stream'), parts);
    } else {
      this.state.fail(this.protocolError(error, 'The upstream connection broke during the stream'), parts);
    }
    return parts;
  }

  private protocolError(error: unknown, message: string): GatewayError {
    return error instanceof GatewayError ? error : new UpstreamProtocolError(message, { provider: this.options.providerId, cause: error });
  }
}

/** The decoder of an SSE protocol: the shared SSE framing, with the event size limit, feeding `state`. */
export function createSseStreamDecoder(
  state: StreamStateMachine<SseEvent>,
  options: ProviderStreamOptions & { maxEventLength?: number | undefined },
): ProviderStreamDecoder<SseEvent> {
  return new ProviderStreamDecoder(new SseDecoder(options.maxEventLength), state, options);
}
