import type { GatewayError } from '../../core/errors.ts';
import type { HttpResponse } from '../../core/ports.ts';

/** Reads a response body as text, throwing the caller's transport error when the read fails. */
export async function readResponseText(response: HttpResponse, toTransportError: (error: unknown) => GatewayError): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw toTransportError(error);
  }
}

/** Of an error body, only this much is read: enough for any provider's message, and a cap on what a flood costs. */
export const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The start of a (non-2xx) body as text, at most `limitBytes`: the rest is not read and the
 * connection is closed. A read that fails throws as the body's iterator does.
 */
export async function readErrorText(response: HttpResponse, limitBytes = ERROR_BODY_LIMIT_BYTES): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const room = limitBytes - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    size += Math.min(chunk.length, room);
    // Leaving the loop closes the body; dump() makes sure of the connection.
    if (size >= limitBytes) {
      await response.dump().catch(() => undefined);
      break;
    }
  }
  // A character cut at the limit decodes as U+FFFD.
  return Buffer.concat(chunks, size).toString('utf8');
}
