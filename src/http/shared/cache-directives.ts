// What a REST request asks of the response cache, and the x-modelgraph-cache header of its answer.
// Headers (every endpoint): `x-modelgraph-cache-ttl: <seconds>`, `cache-control: no-cache` (do not
// look up, still store) and `no-store` (do not store). LiteLLM's body field (chat completions and
// embeddings): `cache: { "no-cache": bool, "no-store": bool, ttl: seconds }`; the headers win.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { CacheDirectives, CacheStatus } from '../../core/cache/cache-policy.ts';
import type { MeteredCall } from '../../core/requests/request-types.ts';
import { cacheStatusHeader, cacheTtlHeader } from './header-names.ts';
import { invalidField } from './rest-request-error.ts';

const liteLLMCacheSchema = z.object({
  'no-cache': z.boolean().optional(),
  'no-store': z.boolean().optional(),
  ttl: z.number().int().positive().optional(),
});

function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The request's directives; undefined when it gives none. Throws INVALID_REQUEST for a malformed one. */
export function cacheDirectivesOf(request: IncomingMessage, body: unknown, options: { bodyField: boolean }): CacheDirectives | undefined {
  const directives: CacheDirectives = {};
  const field = options.bodyField && body !== null && typeof body === 'object' ? (body as { cache?: unknown }).cache : undefined;
  if (field !== undefined && field !== null) {
    const parsed = liteLLMCacheSchema.safeParse(field);
    if (!parsed.success) throw invalidField('cache', 'expected { "no-cache"?: boolean, "no-store"?: boolean, ttl?: positive integer seconds }');
    if (parsed.data.ttl !== undefined) directives.ttlSeconds = parsed.data.ttl;
    if (parsed.data['no-cache']) directives.bypass = true;
    if (parsed.data['no-store']) directives.noStore = true;
  }
  const ttl = headerText(request, cacheTtlHeader);
  if (ttl !== undefined) {
    if (!/^\s*\d+\s*$/.test(ttl) || Number(ttl) <= 0) throw invalidField(cacheTtlHeader, 'expected a positive whole number of seconds');
    directives.ttlSeconds = Number(ttl);
  }
  const control = headerText(request, 'cache-control')?.toLowerCase();
  if (control) {
    const tokens = control.split(',').map((token) => token.trim());
    if (tokens.includes('no-cache')) directives.bypass = true;
    if (tokens.includes('no-store')) directives.noStore = true;
  }
  return Object.keys(directives).length > 0 ? directives : undefined;
}

/** The MeteredCall fields of the cache: the directives, and the status header set before the answer goes out. */
export function cacheFields(request: IncomingMessage, response: ServerResponse, body: unknown, options: { bodyField: boolean }): Pick<MeteredCall, 'cache' | 'onCacheStatus'> {
  const directives = cacheDirectivesOf(request, body, options);
  return {
    ...(directives ? { cache: directives } : {}),
    onCacheStatus: (status: CacheStatus) => {
      if (!response.headersSent) response.setHeader(cacheStatusHeader, status.toLowerCase());
    },
  };
}
