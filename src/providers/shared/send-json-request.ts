import type { GatewayError } from '../../core/errors.ts';
import type { HttpClient, HttpResponse } from '../../core/ports.ts';
import { readErrorText } from './read-response-text.ts';

/** A non-2xx answer, its body read as text, for a provider's error mapper. */
export interface UpstreamErrorResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A non-2xx answer as a provider's error mapper takes it. */
export interface UpstreamErrorInput {
  providerId: string;
  status: number;
  headers: UpstreamErrorResponse['headers'];
  /** The raw response body; need not be JSON. */
  body: string;
}

export interface JsonRequest {
  http: HttpClient;
  url: string;
  /**
   * The request headers, or a function that builds them (signing, fetching a token) so that its
   * failure counts as a transport failure.
   */
  headers: Record<string, string> | (() => Promise<Record<string, string>>);
  /** The JSON text to POST. */
  body: string;
  signal: AbortSignal;
  /** Sent as the `accept` header, after the others, when given. */
  accept?: string | undefined;
  /** Maps a request that got no response (or, see below, an unreadable error body) to a typed error. */
  toTransportError(error: unknown): GatewayError;
  /** Maps a non-2xx answer to the provider's typed error. */
  toStatusError(response: UpstreamErrorResponse): GatewayError;
  /**
   * What a non-2xx body that cannot be read becomes: empty text for toStatusError (the default),
   * or the transport error, which keeps an abort during the read a cancellation.
   */
  unreadableErrorBody?: 'empty-text' | 'transport-error';
}

/** POSTs a JSON body and returns the 2xx response, throwing the caller's typed error for a failed request or any other status. */
export async function sendJsonRequest(request: JsonRequest): Promise<HttpResponse> {
  let response: HttpResponse;
  try {
    const headers = typeof request.headers === 'function' ? await request.headers() : request.headers;
    response = await request.http.request({
      url: request.url,
      method: 'POST',
      headers: request.accept === undefined ? headers : { ...headers, accept: request.accept },
      body: request.body,
      signal: request.signal,
    });
  } catch (error) {
    throw request.toTransportError(error);
  }
  if (response.status >= 200 && response.status < 300) return response;
  // Only the start of an error body is read: a flood is cut, not buffered or passed on.
  const text =
    request.unreadableErrorBody === 'transport-error'
      ? await readErrorText(response).catch((error: unknown) => {
          throw request.toTransportError(error);
        })
      : await readErrorText(response).catch(() => '');
  throw request.toStatusError({ status: response.status, headers: response.headers, text });
}
