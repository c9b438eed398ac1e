// CORS for browser clients: the configured origins (or `*`) may call the REST endpoints, and
// preflight requests are answered without authentication, as browsers send them without keys.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicRequestIdHeader, cacheStatusHeader, cacheTtlHeader, generationIdHeader, requestIdHeader, tokenCountMethodHeader } from './header-names.ts';

const exposedHeaders = [requestIdHeader, anthropicRequestIdHeader, generationIdHeader, tokenCountMethodHeader, cacheStatusHeader, 'retry-after', 'retry-after-ms'].join(', ');
const defaultAllowedHeaders = `authorization, content-type, x-api-key, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access, x-request-id, cache-control, ${cacheTtlHeader}, x-stainless-*`;

/** Sets the CORS response headers for an allowed Origin; returns whether the origin is allowed. */
export function applyCors(request: IncomingMessage, response: ServerResponse, origins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  response.appendHeader('vary', 'Origin');
  const allowed = origins.includes('*') || origins.includes(origin);
  if (!allowed) return false;
  response.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
  response.setHeader('access-control-expose-headers', exposedHeaders);
  return true;
}

export function isPreflight(request: IncomingMessage): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

/** Answers a preflight: 204 with the allowed methods and headers (none for a disallowed origin). */
export function writePreflight(request: IncomingMessage, response: ServerResponse, allowedOrigin: boolean, methods: readonly string[]): void {
  if (allowedOrigin) {
    response.setHeader('access-control-allow-methods', [...methods, 'OPTIONS'].join(', '));
    // Echoing what the browser asks for keeps SDK-specific headers (x-stainless-*) working.
    response.setHeader('access-control-allow-headers', request.headers['access-control-request-headers'] ?? defaultAllowedHeaders);
    response.setHeader('access-control-max-age', '86400');
  }
  response.writeHead(204).end();
}
