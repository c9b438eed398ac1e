// Authenticates API keys: the master key, virtual keys (current or rotated-previous secret), with
// an in-memory cache invalidated on every change (locally and through the ChangeFeed), so a
// revoke or update applies to the very next request.
import type { Authenticator, Caller, Credentials } from '../auth.ts';
import { RateLimitedError, UnauthenticatedError } from '../errors.ts';
import type { Clock } from '../ports.ts';
import { hashesEqual, hashKeySecret } from './api-key-secret.ts';
import type { FailedAuthLimiter } from './failed-auth-limiter.ts';
import type { ApiKeyWithHashes, KeyRepository, Limits, Team, TeamRepository } from './types.ts';

interface CacheEntry {
  key: ApiKeyWithHashes | null;
  team: Team | null;
}

export interface KeyAuthenticatorOptions {
  keys: KeyRepository;
  teams: TeamRepository;
  clock: Clock;
  limiter: FailedAuthLimiter;
  /** SHA-256 of MODELGRAPH_ADMIN_KEY, when set. */
  masterKeyHash: string | null;
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

  constructor(private readonly options: KeyAuthenticatorOptions) {}

  /** Drops cached entries of one key (or every entry): the next request reads the database. */
  invalidate(keyId?: string): void {
    if (keyId === undefined) {
      this.cache.clear();
      return;
    }
    for (const [hash, entry] of this.cache) {
      if (entry.key === null || entry.key.id === keyId) this.cache.delete(hash);
    }
  }

  async authenticate(credentials: Credentials): Promise<Caller> {
    const { limiter, clock } = this.options;
    const blockedMs = limiter.blockedFor(credentials.clientAddress);
    if (blockedMs > 0) {
      throw new RateLimitedError('Too many failed authentication attempts from this address', { retryAfterMs: blockedMs });
    }
    const secret = credentials.secret;
    if (!secret) {
      throw new UnauthenticatedError('An API key is required: send `Authorization: Bearer <key>` or `x-api-key: <key>`');
    }
    const hash = hashKeySecret(secret);
    if (this.options.masterKeyHash && hashesEqual(hash, this.options.masterKeyHash)) return MASTER_CALLER;

    let entry = this.cache.get(hash);
    if (!entry) {
      const key = await this.options.keys.findBySecretHash(hash);
      const team = key?.teamId ? ((await this.options.teams.findByIds([key.teamId]))[0] ?? null) : null;
      entry = { key, team };
      if (this.cache.size > 50_000) this.cache.clear();
      // Unknown secrets are not cached: a spray must not fill memory, and the limiter handles it.
      if (key) this.cache.set(hash, entry);
    }
    const { key, team } = entry;
    if (!key) {
      limiter.recordFailure(credentials.clientAddress);
      throw new UnauthenticatedError('Unknown API key');
    }
    const now = clock.now();
    if (key.revokedAt) throw new UnauthenticatedError('This API key has been revoked');
    if (key.disabled) throw new UnauthenticatedError('This API key is disabled');
    if (key.expiresAt && key.expiresAt.getTime() <= now) {
      throw new UnauthenticatedError(`This API key expired at ${key.expiresAt.toISOString()}`);
    }
    const current = hashesEqual(hash, key.secretHash);
    if (!current) {
      const previousValid =
        key.previousSecretHash !== null && hashesEqual(hash, key.previousSecretHash) && key.previousValidUntil !== null && key.previousValidUntil.getTime() > now;
      if (!previousValid) {
        throw new UnauthenticatedError('This API key secret was rotated and its grace period has ended');
      }
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
      keyLimits: key.isMaster ? null : limitsOf(key),
      teamLimits: key.isMaster || !team ? null : limitsOf(team),
    };
  }
}

function limitsOf(row: Limits): Limits {
  return {
    maxBudgetMicro: row.maxBudgetMicro,
    budgetPeriod: row.budgetPeriod,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    maxParallelRequests: row.maxParallelRequests,
  };
}
