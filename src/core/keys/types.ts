export const SCOPES = ['ADMIN', 'INFERENCE', 'READ_USAGE', 'METRICS'] as const;
export type Scope = (typeof SCOPES)[number];

export type BudgetPeriod = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'LIFETIME';
export type TeamRole = 'OWNER' | 'ADMIN' | 'MEMBER';

/** Budget and rate limits on a key or a team; null means no limit. Money is micro-USD. */
export interface Limits {
  maxBudgetMicro: bigint | null;
  budgetPeriod: BudgetPeriod | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxParallelRequests: number | null;
}

/** The limits of a key or a team (or a row that holds them), alone. */
export function limitsOf(holder: Limits): Limits {
  return {
    maxBudgetMicro: holder.maxBudgetMicro,
    budgetPeriod: holder.budgetPeriod,
    rpmLimit: holder.rpmLimit,
    tpmLimit: holder.tpmLimit,
    maxParallelRequests: holder.maxParallelRequests,
  };
}

/** No budget and no rate limit. */
export const noLimits = (): Limits => ({ maxBudgetMicro: null, budgetPeriod: null, rpmLimit: null, tpmLimit: null, maxParallelRequests: null });

export interface ApiKey extends Limits {
  id: string;
  name: string;
  displayPrefix: string;
  isMaster: boolean;
  teamId: string | null;
  userId: string | null;
  scopes: Scope[];
  allowedModels: string[] | null;
  modelAliases: Record<string, string>;
  metadata: Record<string, unknown>;
  /** The response cache's default TTL for this key's deterministic requests; null: the team's. */
  cacheTtlSeconds: number | null;
  expiresAt: Date | null;
  disabled: boolean;
  revokedAt: Date | null;
  previousValidUntil: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A key with its hashes, as the authenticator needs it; never leaves the core. */
export interface ApiKeyWithHashes extends ApiKey {
  secretHash: string;
  previousSecretHash: string | null;
}

export interface Team extends Limits {
  id: string;
  name: string;
  allowedModels: string[] | null;
  metadata: Record<string, unknown>;
  /** The response cache's default TTL for the team's deterministic requests; null: the gateway's. */
  cacheTtlSeconds: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  createdAt: Date;
}

export interface TeamMember {
  teamId: string;
  userId: string;
  role: TeamRole;
  createdAt: Date;
}

export type KeyStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'DISABLED';

export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'disabled' | 'expiresAt'>, now: number): KeyStatus {
  if (key.revokedAt) return 'REVOKED';
  if (key.disabled) return 'DISABLED';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'EXPIRED';
  return 'ACTIVE';
}

export interface AuditEntry {
  id: string;
  at: Date;
  actorKeyId: string | null;
  actorName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

export interface ApiKeyFilter {
  teamId?: string | null;
  userId?: string | null;
  status?: KeyStatus | null;
  search?: string | null;
}

export type ApiKeyChanges = Partial<
  Pick<ApiKey, 'name' | 'teamId' | 'userId' | 'scopes' | 'allowedModels' | 'modelAliases' | 'metadata' | 'cacheTtlSeconds' | 'expiresAt' | 'disabled' | 'revokedAt' | 'previousValidUntil'> & Limits
> & { secretHash?: string; displayPrefix?: string; previousSecretHash?: string | null };

export type NewApiKey = Omit<ApiKeyWithHashes, 'id' | 'createdAt' | 'updatedAt' | 'lastUsedAt' | 'revokedAt' | 'previousValidUntil' | 'previousSecretHash'>;

export interface KeyRepository {
  insert(key: NewApiKey): Promise<ApiKey>;
  update(id: string, changes: ApiKeyChanges): Promise<ApiKey | null>;
  findById(id: string): Promise<ApiKey | null>;
  findByIds(ids: readonly string[]): Promise<ApiKey[]>;
  /** The key whose current or (rotated) previous secret has this hash. */
  findBySecretHash(hash: string): Promise<ApiKeyWithHashes | null>;
  findMaster(): Promise<ApiKey | null>;
  currentSecretHash(id: string): Promise<string | null>;
  /** Keyset pagination by (createdAt, id) descending; `after` is the last id of the previous page. */
  list(filter: ApiKeyFilter, first: number, after: string | null, now: Date): Promise<Page<ApiKey>>;
  /** How many keys the filter matches (every page). */
  count(filter: ApiKeyFilter, now: Date): Promise<number>;
  countByTeam(teamId: string): Promise<number>;
}

export type TeamChanges = Partial<Pick<Team, 'name' | 'allowedModels' | 'metadata' | 'cacheTtlSeconds'> & Limits>;

export interface TeamRepository {
  insert(team: Omit<Team, 'id' | 'createdAt' | 'updatedAt'>): Promise<Team>;
  update(id: string, changes: TeamChanges): Promise<Team | null>;
  delete(id: string): Promise<boolean>;
  findByIds(ids: readonly string[]): Promise<Team[]>;
  list(first: number, after: string | null, search: string | null): Promise<Page<Team>>;
  /** How many teams the search matches (every page). */
  count(search: string | null): Promise<number>;
  upsertUser(email: string, name: string | null): Promise<User>;
  findUsersByIds(ids: readonly string[]): Promise<User[]>;
  addMember(teamId: string, userId: string, role: TeamRole): Promise<TeamMember>;
  removeMember(teamId: string, userId: string): Promise<boolean>;
  /** Members of each team, for a DataLoader. */
  membersOfTeams(teamIds: readonly string[]): Promise<TeamMember[]>;
}

export interface AuditLogRepository {
  append(entry: AuditEntry): Promise<void>;
  list(first: number, after: string | null, filter: { targetType?: string | null; targetId?: string | null }): Promise<Page<AuditEntry>>;
}
