import { UpstreamProtocolError } from '../../core/errors.ts';
import type { HttpResponse } from '../../core/ports.ts';
import { readJsonBody, type JsonBodyReading } from './read-json-body.ts';

export interface JsonObjectReading extends JsonBodyReading {
  /** The message of the UpstreamProtocolError thrown for JSON that is not an object (null, an array, a scalar). */
  notObjectMessage: string;
}

/** Reads a 2xx response body as a JSON object, throwing UpstreamProtocolError when it is not JSON or not an object. */
export async function readJsonObject(response: HttpResponse, reading: JsonObjectReading): Promise<object> {
  const parsed = await readJsonBody(response, reading);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UpstreamProtocolError(reading.notObjectMessage, { provider: reading.provider });
  }
  return parsed;
}
