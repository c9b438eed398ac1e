// ConverseStream bodies use the AWS event-stream binary framing (application/vnd.amazon.eventstream):
// each message is a length-prefixed frame with typed headers, a payload and two CRC32 checksums.
// Splitting the byte stream into frames and decoding them (checksums included) is done by Smithy's
// event-stream code, which the AWS SDK uses; this file only reads the headers Bedrock sets:
// `:message-type` (event | exception | error), then `:event-type`, `:exception-type` or
// `:error-code`, with a JSON payload. Smithy is loaded on the first Bedrock stream, so gateways
// without a Bedrock provider do not keep it in memory.
import { UpstreamProtocolError } from '../../core/errors.ts';
import { DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES } from '../shared/http-client.ts';

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const toUtf8 = (bytes: Uint8Array): string => utf8Decoder.decode(bytes);
const fromUtf8 = (text: string): Uint8Array => utf8Encoder.encode(text);

export type BedrockStreamMessage =
  | { kind: 'event'; eventType: string; payload: Record<string, unknown> }
  | { kind: 'exception'; exceptionType: string; message: string | undefined }
  | { kind: 'error'; errorCode: string; message: string | undefined };

type Headers = Record<string, { type: string; value: unknown }>;

/**
 * Yields the messages of an event stream. Throws an UpstreamProtocolError for a frame that does not
 * decode (bad length or checksum), a truncated last frame or a payload that is not a JSON object;
 * transport errors from the body pass through unchanged.
 */
export async function* readBedrockEventStream(
  body: AsyncIterable<Uint8Array>,
  providerId: string,
  maxFrameLength = DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES,
): AsyncGenerator<BedrockStreamMessage> {
  const { EventStreamCodec, getChunkedStream } = await import('@smithy/core/event-streams');
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const frames = getChunkedStream(limitFrameLengths(body, maxFrameLength, providerId))[Symbol.asyncIterator]();
  while (true) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await frames.next();
    } catch (error) {
      // getChunkedStream reports a body that ends inside a frame with a plain Error.
      if (error instanceof Error && /truncated event message/i.test(error.message)) {
        throw new UpstreamProtocolError('The Bedrock event stream ended inside a message', { provider: providerId, cause: error });
      }
      throw error;
    }
    if (next.done === true) return;
    let decoded: { headers: Headers; body: Uint8Array };
    try {
      decoded = codec.decode(next.value) as { headers: Headers; body: Uint8Array };
    } catch (error) {
      throw new UpstreamProtocolError('Bedrock sent an event-stream message that does not decode', { provider: providerId, cause: error });
    }
    yield toMessage(decoded.headers, decoded.body, providerId);
  }
}

/**
 * Passes the body through, refusing a frame whose declared length (the first 4 bytes of each frame,
 * big-endian) is over the limit: Smithy's chunker allocates the whole declared length up front.
 */
async function* limitFrameLengths(body: AsyncIterable<Uint8Array>, maxFrameLength: number, providerId: string): AsyncGenerator<Uint8Array> {
  /** Bytes of the current frame still to pass; its length prefix is read when this reaches 0. */
  let remaining = 0;
  const prefix = new Uint8Array(4);
  let prefixRead = 0;
  for await (const chunk of body) {
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining > 0) {
        const step = Math.min(remaining, chunk.length - offset);
        remaining -= step;
        offset += step;
        continue;
      }
      prefix[prefixRead++] = chunk[offset++]!;
      if (prefixRead < 4) continue;
      const length = new DataView(prefix.buffer).getUint32(0, false);
      if (length > maxFrameLength) {
        throw new UpstreamProtocolError(`Bedrock sent an event-stream message larger than the gateway's limit of ${maxFrameLength} bytes (upstream.responseLimitBytes)`, {
          provider: providerId,
        });
      }
      prefixRead = 0;
      remaining = Math.max(0, length - 4);
    }
    yield chunk;
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
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? {} : JSON.parse(toUtf8(body));
  } catch (error) {
    throw new UpstreamProtocolError('Bedrock sent an event whose payload is not JSON', { provider: providerId, cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UpstreamProtocolError('Bedrock sent an event whose payload is not a JSON object', { provider: providerId });
  }
  return parsed as Record<string, unknown>;
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
