import type { GatewayError } from '../../core/errors.ts';
import type { HttpResponse } from './http-client.ts';

/** Reads a response body as text, throwing the caller's transport error when the read fails. */
export async function readResponseText(response: HttpResponse, toTransportError: (error: unknown) => GatewayError): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw toTransportError(error);
  }
}
