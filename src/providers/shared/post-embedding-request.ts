// What every embeddings adapter does on the wire: POST a JSON body, map a failure to reach the
// upstream or a non-2xx answer to a typed error, and read the 2xx body as a JSON object; plus the
// check that an answer holds one numeric vector per input.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { HttpClient, HttpResponse } from '../../core/ports.ts';
import { readJsonObject } from './read-json-object.ts';
import { sendJsonRequest, type UpstreamErrorResponse } from './send-json-request.ts';
import { transportError } from './transport-error.ts';

export interface EmbeddingPost {
  http: HttpClient;
  url: string;
  /** The headers, or a function that builds them (signing) so that its failure is a transport failure. */
  headers: Record<string, string> | (() => Promise<Record<string, string>>);
  body: unknown;
  signal: AbortSignal;
  providerId: string;
  /** The upstream's name for messages, e.g. "Cohere". */
  upstreamName: string;
  /** The provider's error mapper for a non-2xx answer. */
  toStatusError(response: UpstreamErrorResponse): GatewayError;
}

export interface EmbeddingAnswer {
  body: Record<string, unknown>;
  headers: HttpResponse['headers'];
}

export async function postEmbeddingRequest(post: EmbeddingPost): Promise<EmbeddingAnswer> {
  const toTransportError = (error: unknown) => transportError(error, post.signal, post.providerId, `${post.upstreamName} could not be reached`);
  const response = await sendJsonRequest({
    http: post.http,
    url: post.url,
    headers: post.headers,
    body: JSON.stringify(post.body),
    signal: post.signal,
    toTransportError,
    toStatusError: post.toStatusError,
    unreadableErrorBody: 'transport-error',
  });
  const body = await readJsonObject(response, {
    provider: post.providerId,
    toTransportError,
    notJsonMessage: `${post.upstreamName} returned an embeddings body that is not JSON`,
    notObjectMessage: `${post.upstreamName} returned an embeddings body that is not an object`,
  });
  return { body: body as Record<string, unknown>, headers: response.headers };
}

/** Checks that `vectors` holds `expected` arrays of finite numbers, or throws UpstreamProtocolError. */
export function checkEmbeddingVectors(vectors: unknown, expected: number, providerId: string): number[][] {
  if (!Array.isArray(vectors) || vectors.length !== expected) {
    const got = Array.isArray(vectors) ? `${vectors.length} vectors` : 'no vectors';
    throw new UpstreamProtocolError(`The upstream returned ${got} for ${expected} inputs`, { provider: providerId });
  }
  for (const vector of vectors) {
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((value) => typeof value === 'number' && Number.isFinite(value))) {
      throw new UpstreamProtocolError('The upstream returned an embedding that is not an array of numbers', { provider: providerId });
    }
  }
  return vectors as number[][];
}

/** A whole non-negative token count, or null when the upstream sent none. */
export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

