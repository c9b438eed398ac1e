// Whether a request uses the response cache, and how: opt-in at every level. The cache must be
// enabled (config `cache.enabled`); a TTL must come from the request (`ttlSeconds`) or, for a
// deterministic request only, from a default: the key's (`cacheTtlSeconds`, admin mutations), else
// its team's, else the configured one (`cache.defaultTtlSeconds`). A request
// that is not deterministic (temperature above 0, or unset, which means the default 1, without a
// seed) is cached only when it asks with its own TTL: a default must not freeze sampled answers.
import type { ChatRequest } from '../types.ts';

/** What one request asks of the cache (GraphQL `cache` input, REST headers, LiteLLM's `cache` body field). */
export interface CacheDirectives {
  /** Store the answer for this long; also the opt-in for a request that is not deterministic. */
  ttlSeconds?: number;
  /** Do not look up (`cache-control: no-cache`); the answer is still stored. */
  bypass?: boolean;
  /** Do not store the answer (`cache-control: no-store`). */
  noStore?: boolean;
}

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface CachePolicySettings {
  enabled: boolean;
  /** The TTL of deterministic requests that give none; null: only requests that give one are cached. */
  defaultTtlSeconds: number | null;
  /** The longest TTL a request may ask for. */
  maxTtlSeconds: number;
}

export interface CacheDecision {
  lookup: boolean;
  store: boolean;
  ttlSeconds: number;
}

/** Temperature 0, or a seed: the same request should give the same answer. */
export function isDeterministicChat(parameters: Pick<ChatRequest, 'temperature' | 'seed'>): boolean {
  return parameters.seed !== undefined || parameters.temperature === 0;
}

/** The request's use of the cache, or null when the cache plays no part in it. */
export function decideCaching(
  settings: CachePolicySettings,
  directives: CacheDirectives | undefined,
  deterministic: boolean,
  /** The caller's default (its key's, else its team's); null or absent: the configured one. */
  callerDefaultTtlSeconds?: number | null,
): CacheDecision | null {
  if (!settings.enabled) return null;
  const asked = directives?.ttlSeconds;
  const ttl = asked !== undefined ? asked : deterministic ? (callerDefaultTtlSeconds ?? settings.defaultTtlSeconds) : null;
  if (ttl === null || !(ttl > 0)) return null;
  return { lookup: directives?.bypass !== true, store: directives?.noStore !== true, ttlSeconds: Math.min(Math.floor(ttl), settings.maxTtlSeconds) || 1 };
}
