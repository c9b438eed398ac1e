// Authenticates API keys: the master key, virtual keys (current or rotated-previous secret), with
// an in-memory cache. A change drops the key's entry at once, locally and on other instances
// through the ChangeFeed; and since a notification can be lost (a listener reconnecting), an entry
// older than `cacheTtlMs` is re-read in the background: the request that finds it stale is served
// from the cache, the next ones see the database's answer. So a change is in force everywhere
// within cacheTtlMs (plus one read) at worst, with no database round trip on the request path.
// Open streams of a key that stops being valid are ended through the KeySessionRegistry.
import type { Authenticator, Caller, Credentials, KeyWatch } from '../auth.ts';
import { RateLimitedError, UnauthenticatedError } from '../errors.ts';
import type { Clock, Logger } from '../ports.ts';
import { hashesEqual, hashKeySecret } from './api-key-secret.ts';
import type { FailedAuthLimiter } from './failed-auth-limiter.ts';
import { KeySessionRegistry } from './key-session-registry.ts';
import { keyRefusal } from './key-validity.ts';
import { limitsOf, type ApiKeyWithHashes, type KeyRepository, type Team, type TeamRepository } from './types.ts';

interface CacheEntry {
  key: ApiKeyWithHashes | null;
  team: Team | null;
  loadedAt: number;
}

export interface KeyAuthenticatorOptions {
  keys: KeyRepository;
  teams: TeamRepository;
  clock: Clock;
  limiter: FailedAuthLimiter;
  /** SHA-256 of MODELGRAPH_ADMIN_KEY, when set. */
  masterKeyHash: string | null;
  /** A cached key older than this is re-read from the database; open streams' keys are re-checked as often. */
  cacheTtlMs: number;
  logger?: Logger;
}

const MASTER_CALLER: Caller = {
  keyId: 'master',
  keyName: 'master key',
  isMasterKey: true,
  teamId: null,
  userId: null,
  scopes: ['ADMIN', 'INFERENCE', 'READ_USAGE'],
  allowedModels: null,
  teamAllowedModels: null,
  modelAliases: {},
};

export class KeyAuthenticator implements Authenticator {
  private cache = new Map<string, CacheEntry>();
  /** Hashes being re-read in the background (one read per key at a time). */
  private refreshing = new Set<string>();
  /** Bumped by every invalidation: a read that started before one must not fill the cache. */
  private generation = 0;
  readonly sessions: KeySessionRegistry;

  constructor(private readonly options: KeyAuthenticatorOptions) {
    this.sessions = new KeySessionRegistry({
      keys: options.keys,
      clock: options.clock,
      recheckIntervalMs: options.cacheTtlMs,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /**
   * Drops cached entries of one key (or every entry): the next request reads the database. Open
   * streams of that key (or of every key) are re-checked and ended if it is no longer valid.
   */
  invalidate(keyId?: string): void {
    this.generation++;
    if (keyId === undefined) this.cache.clear();
    else {
      for (const [hash, entry] of this.cache) {
        if (entry.key === null || entry.key.id === keyId) this.cache.delete(hash);
      }
    }
    void this.sessions.check(keyId);
  }

  watch(caller: Caller): KeyWatch {
    return this.sessions.watch(caller);
  }

  async authenticate(credentials: Credentials): Promise<Caller> {
    const secret = credentials.secret;
    if (!secret) {
      throw new UnauthenticatedError('An API key is required: send `Authorization: Bearer <key>` or `x-api-key: <key>`');
    }
    const hash = hashKeySecret(secret);
    if (this.options.masterKeyHash && hashesEqual(hash, this.options.masterKeyHash)) return MASTER_CALLER;

    const { key, team } = await this.lookup(hash);
    if (!key) {
      // Only failures are throttled: a valid key from the same address was admitted above.
      const retryAfterMs = this.options.limiter.throttleFailure(credentials.clientAddress);
      if (retryAfterMs > 0) throw new RateLimitedError('Too many failed authentication attempts from this address', { retryAfterMs });
      throw new UnauthenticatedError('Unknown API key');
    }
    const now = this.options.clock.now();
    const refusal = keyRefusal(key, now);
    if (refusal) throw refusal;
    let validUntil = key.expiresAt?.getTime() ?? null;
    if (!hashesEqual(hash, key.secretHash)) {
      const graceEnd = key.previousValidUntil?.getTime() ?? null;
      const previousValid = key.previousSecretHash !== null && hashesEqual(hash, key.previousSecretHash) && graceEnd !== null && graceEnd > now;
      if (!previousValid) {
        throw new UnauthenticatedError('This API key secret was rotated and its grace period has ended');
      }
      validUntil = validUntil === null ? graceEnd : Math.min(validUntil, graceEnd);
    }
    return {
      keyId: key.id,
      keyName: key.name,
      isMasterKey: key.isMaster,
      teamId: key.teamId,
      userId: key.userId,
      scopes: key.isMaster ? MASTER_CALLER.scopes : key.scopes,
      allowedModels: key.allowedModels,
      teamAllowedModels: team?.allowedModels ?? null,
      modelAliases: key.modelAliases,
      cacheTtlSeconds: key.cacheTtlSeconds ?? team?.cacheTtlSeconds ?? null,
      keyLimits: key.isMaster ? null : limitsOf(key),
      teamLimits: key.isMaster || !team ? null : limitsOf(team),
      validUntil,
    };
  }

  /** The cached entry (re-read in the background once stale), or a fresh read. */
  private async lookup(hash: string): Promise<CacheEntry> {
    const cached = this.cache.get(hash);
    if (!cached) return this.load(hash);
    if (this.options.clock.now() - cached.loadedAt >= this.options.cacheTtlMs) this.refresh(hash);
    return cached;
  }

  private async load(hash: string): Promise<CacheEntry> {
    const generation = this.generation;
    const loadedAt = this.options.clock.now();
    const key = await this.options.keys.findBySecretHash(hash);
    const team = key?.teamId ? ((await this.options.teams.findByIds([key.teamId]))[0] ?? null) : null;
    const entry: CacheEntry = { key, team, loadedAt };
    if (generation === this.generation) {
      if (this.cache.size > 50_000) this.cache.clear();
      // Unknown secrets are not cached: a spray must not fill memory, and the limiter handles it.
      if (key) this.cache.set(hash, entry);
      else this.cache.delete(hash);
    }
    return entry;
  }

  /**
   * Re-reads a stale entry without holding up the request. If the database cannot be read, the
   * entry keeps serving (no revocation can be written while it is down) and the next request retries.
   */
  private refresh(hash: string): void {
    if (this.refreshing.has(hash)) return;
    this.refreshing.add(hash);
    this.load(hash)
      .then(({ key }) => {
        if (key) this.sessions.apply(key);
      })
      .catch((error: unknown) => this.options.logger?.warn(`cached API key could not be re-read: ${(error as Error).message}`))
      .finally(() => this.refreshing.delete(hash));
  }
}
