// Who is calling: the authenticated API key and what it may do. Edges (GraphQL, REST, WebSocket)
// extract the secret from the request and ask the Authenticator; services check the Caller.
import type { Limits, Scope } from './keys/types.ts';

export interface KeyWatch {
  /** Aborted, with an UnauthenticatedError as its reason, when the key stops being valid; null when it never can. */
  readonly signal: AbortSignal | null;
  /** The stream is over: stop watching. */
  release(): void;
}

/**
 * A stream's signal: `signal`, also aborted when the watched key stops being valid. A key that can
 * never be ended (the admin key) adds nothing: AbortSignal.any would tie every stream to one
 * long-lived signal (a WeakRef per stream in its list of dependants) for no effect.
 */
export function signalWithWatch(signal: AbortSignal, watch: KeyWatch): AbortSignal {
  return watch.signal ? AbortSignal.any([signal, watch.signal]) : signal;
}

export interface Caller {
  keyId: string;
  keyName: string;
  /** The admin (master) key has every scope and no limits. */
  isMasterKey: boolean;
  teamId: string | null;
  userId: string | null;
  scopes: Scope[];
  /** Model patterns the key may use (names, groups, `provider/*`); null = any. */
  allowedModels: string[] | null;
  /** The team's patterns, which cap the key's; null = any. */
  teamAllowedModels: string[] | null;
  /** Per-key aliases: a requested name mapped to another model name. */
  modelAliases: Record<string, string>;
  /** The response cache's default TTL for this caller's deterministic requests (the key's, else its team's); null: the gateway's. */
  cacheTtlSeconds?: number | null;
  /** Budget and rate limits of the key and of its team, enforced by metering; absent = none. */
  keyLimits?: Limits | null;
  teamLimits?: Limits | null;
  /** When this credential stops being valid (epoch ms): the key's expiry or a rotated secret's grace end; null = never. */
  validUntil?: number | null;
}

/** Where a secret came from, for messages and brute-force accounting. */
export interface Credentials {
  secret: string | null;
  clientAddress?: string | undefined;
}

export interface Authenticator {
  /** Resolves the caller or throws UnauthenticatedError (missing, unknown, expired or revoked key). */
  authenticate(credentials: Credentials): Promise<Caller>;
  /** For a stream or subscription: a signal aborted (with the reason) when the caller's key is revoked, disabled or expires. */
  watch(caller: Caller): KeyWatch;
}

/** Reads the secret the way OpenAI (`Authorization: Bearer`) and Anthropic (`x-api-key`) clients send it. */
export function secretFromHeaders(headers: Record<string, string | string[] | undefined> | { get(name: string): string | null }): string | null {
  const get = (name: string): string | undefined => {
    // Fetch-style headers (any implementation, not only the global class) or node's header record.
    if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    const value = (headers as Record<string, string | string[] | undefined>)[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const authorization = get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  const apiKey = get('x-api-key');
  return apiKey ? apiKey.trim() : null;
}
