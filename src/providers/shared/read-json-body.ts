import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { readResponseText } from './read-response-text.ts';

export interface JsonBodyReading {
  /** The provider id put on the errors. */
  provider: string;
  /** Maps a failure to read the body to a typed error. */
  toTransportError(error: unknown): GatewayError;
  /** The message of the UpstreamProtocolError thrown for a body that is not JSON. */
  notJsonMessage: string;
}

/** Reads a 2xx response body and parses it as JSON, throwing UpstreamProtocolError when it is not JSON. */
export async function readJsonBody(response: HttpResponse, reading: JsonBodyReading): Promise<unknown> {
  const text = await readResponseText(response, reading.toTransportError);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UpstreamProtocolError(reading.notJsonMessage, { provider: reading.provider, cause: error });
  }
}
