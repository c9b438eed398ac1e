import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../../core/errors.ts';
import { retryHeaders } from './http-status.ts';

/** An API's error body and status for a core error (OpenAI's and Anthropic's differ). */
export interface ErrorFormat {
  (error: GatewayError): { status: number; body: unknown };
}

export function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed || response.writableEnded) return;
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function writeError(response: ServerResponse, error: GatewayError, format: ErrorFormat): void {
  const { status, body } = format(error);
  // A 413 is answered before the body was read; the connection cannot be reused after that.
  const extra: Record<string, string> = status === 413 ? { connection: 'close' } : {};
  writeJson(response, status, body, { ...retryHeaders(error), ...extra });
}
