// ConverseStream bodies use the AWS event-stream binary framing (application/vnd.amazon.eventstream):
// each message is a length-prefixed frame with typed headers, a payload and two CRC32 checksums.
// This decoder splits the bytes into frames, synchronously, as they arrive; decoding a frame
// (checksums included) is done by Smithy's event-stream codec, which the AWS SDK uses. Only the
// headers Bedrock sets are read: `:message-type` (event | exception | error), then `:event-type`,
// `:exception-type` or `:error-code`, with a JSON payload. Smithy is loaded on the first Bedrock
// stream, so gateways without a Bedrock provider do not keep it in memory.
import type { EventStreamCodec } from '@smithy/core/event-streams';
import { UpstreamProtocolError } from '../../core/errors.ts';
import { DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES } from '../shared/http-client.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import type { WireDecoder } from '../shared/provider-stream-decoder.ts';

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const toUtf8 = (bytes: Uint8Array): string => utf8Decoder.decode(bytes);
const fromUtf8 = (text: string): Uint8Array => utf8Encoder.encode(text);

export type BedrockStreamMessage =
  | { kind: 'event'; eventType: string; payload: Record<string, unknown> }
  | { kind: 'exception'; exceptionType: string; message: string | undefined }
  | { kind: 'error'; errorCode: string; message: string | undefined };

type Headers = Record<string, { type: string; value: unknown }>;

/** The prelude (total and headers lengths, prelude CRC) and the message CRC: the smallest frame. */
const MINIMUM_FRAME_LENGTH = 16;

let codec: Promise<EventStreamCodec> | undefined;

/** Smithy's codec, loaded once, on the first Bedrock stream. */
export function loadEventStreamCodec(): Promise<EventStreamCodec> {
  codec ??= import('@smithy/core/event-streams').then(({ EventStreamCodec }) => new EventStreamCodec(toUtf8, fromUtf8));
  return codec;
}

/**
 * The messages of an event stream. Throws an UpstreamProtocolError for a frame that does not
 * decode (bad length or checksum), one whose declared length is over the limit (before buffering
 * it), a payload that is not a JSON object, or a body that ends inside a frame.
 */
export class BedrockEventStreamDecoder implements WireDecoder<BedrockStreamMessage> {
  /** The start of a frame whose end has not arrived yet, kept in pieces until it has. */
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** The bytes the pending frame needs: its declared length once known, else the 4 that declare it. */
  private needed = 0;

  constructor(
    private readonly codec: EventStreamCodec,
    private readonly providerId: string,
    private readonly maxFrameLength = DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES,
  ) {}

  push(chunk: Uint8Array, messages: BedrockStreamMessage[]): void {
    let bytes = chunk;
    if (this.pendingLength > 0) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      // Joined once the frame is whole, not on every read: a large frame arrives in many.
      if (this.pendingLength < this.needed) return;
      bytes = Buffer.concat(this.pending, this.pendingLength);
      this.pending = [];
      this.pendingLength = 0;
    }
    let offset = 0;
    let length = 0;
    while (bytes.length - offset >= 4) {
      length = new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0, false);
      // Checked before waiting for the rest: a frame is buffered whole.
      if (length > this.maxFrameLength) {
        throw new UpstreamProtocolError(`Bedrock sent an event-stream message larger than the gateway's limit of ${this.maxFrameLength} bytes (upstream.responseLimitBytes)`, {
          provider: this.providerId,
        });
      }
      if (length < MINIMUM_FRAME_LENGTH) throw this.undecodable(new Error(`A frame cannot be ${length} bytes long`));
      if (bytes.length - offset < length) break;
      messages.push(this.decode(bytes.subarray(offset, offset + length)));
      offset += length;
    }
    if (offset < bytes.length) {
      // Copied: the body may reuse its chunk's memory.
      const rest = new Uint8Array(bytes.subarray(offset));
      this.pending = [rest];
      this.pendingLength = rest.length;
      this.needed = rest.length >= 4 ? length : 4;
    }
  }

  end(): void {
    if (this.pendingLength > 0) throw new UpstreamProtocolError('The Bedrock event stream ended inside a message', { provider: this.providerId });
  }

  private decode(frame: Uint8Array): BedrockStreamMessage {
    let decoded: { headers: Headers; body: Uint8Array };
    try {
      decoded = this.codec.decode(frame) as { headers: Headers; body: Uint8Array };
    } catch (error) {
      throw this.undecodable(error);
    }
    return toMessage(decoded.headers, decoded.body, this.providerId);
  }

  private undecodable(cause: unknown): UpstreamProtocolError {
    return new UpstreamProtocolError('Bedrock sent an event-stream message that does not decode', { provider: this.providerId, cause });
  }
}

function toMessage(headers: Headers, body: Uint8Array, providerId: string): BedrockStreamMessage {
  const header = (name: string) => {
    const value = headers[name]?.value;
    return typeof value === 'string' ? value : undefined;
  };
  switch (header(':message-type')) {
    case 'exception':
      return { kind: 'exception', exceptionType: header(':exception-type') ?? 'UnknownException', message: messageOf(body) };
    case 'error':
      return { kind: 'error', errorCode: header(':error-code') ?? 'UnknownError', message: header(':error-message') };
    default:
      return { kind: 'event', eventType: header(':event-type') ?? '', payload: parsePayload(body, providerId) };
  }
}

function parsePayload(body: Uint8Array, providerId: string): Record<string, unknown> {
  if (body.length === 0) return {};
  const payload = parseJsonObject(toUtf8(body));
  if (payload === undefined) throw new UpstreamProtocolError('Bedrock sent an event whose payload is not a JSON object', { provider: providerId });
  return payload;
}

function messageOf(body: Uint8Array): string | undefined {
  try {
    const parsed = JSON.parse(toUtf8(body)) as { message?: unknown; Message?: unknown };
    const message = parsed.message ?? parsed.Message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return body.length > 0 ? toUtf8(body).slice(0, 500) : undefined;
  }
}
