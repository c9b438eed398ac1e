import { and, desc, eq, ilike, inArray, isNotNull, isNull, lt, lte, gt, or, sql, type SQL } from 'drizzle-orm';
import { isUuid, uuidsOnly } from '../core/ids.ts';
import { limitsOf, type ApiKey, type ApiKeyChanges, type ApiKeyFilter, type ApiKeyWithHashes, type KeyRepository, type NewApiKey } from '../core/keys/types.ts';
import type { Db } from './client.ts';
import { apiKeys } from './schema.ts';

type Row = typeof apiKeys.$inferSelect;

function toKey(row: Row): ApiKeyWithHashes {
  return {
    id: row.id,
    name: row.name,
    displayPrefix: row.displayPrefix,
    isMaster: row.isMaster,
    teamId: row.teamId,
    userId: row.userId,
    scopes: row.scopes,
    allowedModels: row.allowedModels ?? null,
    modelAliases: row.modelAliases,
    metadata: row.metadata,
    cacheTtlSeconds: row.cacheTtlSeconds ?? null,
    expiresAt: row.expiresAt,
    disabled: row.disabled,
    revokedAt: row.revokedAt,
    previousValidUntil: row.previousValidUntil,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...limitsOf(row),
    secretHash: row.secretHash,
    previousSecretHash: row.previousSecretHash,
  };
}

/** Strips the hashes: only the authenticator sees them. */
function publicKey(key: ApiKeyWithHashes): ApiKey {
  const { secretHash: _secret, previousSecretHash: _previous, ...rest } = key;
  return rest;
}

/** The filter's conditions, shared by a page and the count. */
function filterConditions(filter: ApiKeyFilter, now: Date): SQL[] {
  const conditions: SQL[] = [];
  if (filter.teamId) conditions.push(isUuid(filter.teamId) ? eq(apiKeys.teamId, filter.teamId) : sql`false`);
  if (filter.userId) conditions.push(isUuid(filter.userId) ? eq(apiKeys.userId, filter.userId) : sql`false`);
  if (filter.search) conditions.push(ilike(apiKeys.name, `%${filter.search.replace(/[%_\\]/g, '\\$&')}%`));
  switch (filter.status) {
    case 'REVOKED':
      conditions.push(isNotNull(apiKeys.revokedAt));
      break;
    case 'DISABLED':
      conditions.push(and(isNull(apiKeys.revokedAt), eq(apiKeys.disabled, true))!);
      break;
    case 'EXPIRED':
      conditions.push(and(isNull(apiKeys.revokedAt), eq(apiKeys.disabled, false), lte(apiKeys.expiresAt, now))!);
      break;
    case 'ACTIVE':
      conditions.push(and(isNull(apiKeys.revokedAt), eq(apiKeys.disabled, false), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)))!);
      break;
    default:
      break;
  }
  return conditions;
}

export function createKeyRepository(db: Db): KeyRepository {
  return {
    async insert(key: NewApiKey) {
      const [row] = await db.insert(apiKeys).values(key).returning();
      return publicKey(toKey(row!));
    },
    async update(id: string, changes: ApiKeyChanges) {
      if (!isUuid(id)) return null;
      const [row] = await db
        .update(apiKeys)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(apiKeys.id, id))
        .returning();
      return row ? publicKey(toKey(row)) : null;
    },
    async findById(id) {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
      return row ? publicKey(toKey(row)) : null;
    },
    async findByIds(ids) {
      const known = uuidsOnly(ids);
      if (known.length === 0) return [];
      const rows = await db.select().from(apiKeys).where(inArray(apiKeys.id, known));
      return rows.map((row) => publicKey(toKey(row)));
    },
    async findBySecretHash(hash) {
      const [row] = await db
        .select()
        .from(apiKeys)
        .where(or(eq(apiKeys.secretHash, hash), eq(apiKeys.previousSecretHash, hash)))
        .limit(1);
      return row ? toKey(row) : null;
    },
    async currentSecretHash(id) {
      if (!isUuid(id)) return null;
      const [row] = await db.select({ hash: apiKeys.secretHash }).from(apiKeys).where(eq(apiKeys.id, id));
      return row?.hash ?? null;
    },
    async findMaster() {
      const [row] = await db.select().from(apiKeys).where(eq(apiKeys.isMaster, true)).limit(1);
      return row ? publicKey(toKey(row)) : null;
    },
    async list(filter: ApiKeyFilter, first, after, now) {
      const conditions = filterConditions(filter, now);
      // An unknown cursor (malformed ones included) starts from the first page.
      if (after && isUuid(after)) {
        const [cursor] = await db.select({ createdAt: apiKeys.createdAt }).from(apiKeys).where(eq(apiKeys.id, after));
        if (cursor) {
          conditions.push(or(lt(apiKeys.createdAt, cursor.createdAt), and(eq(apiKeys.createdAt, cursor.createdAt), lt(apiKeys.id, after)))!);
        }
      }
      const rows = await db
        .select()
        .from(apiKeys)
        .where(conditions.length ? and(...conditions) : undefined)
        .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
        .limit(first + 1);
      return { items: rows.slice(0, first).map((row) => publicKey(toKey(row))), hasMore: rows.length > first };
    },
    async count(filter, now) {
      const conditions = filterConditions(filter, now);
      const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(apiKeys).where(conditions.length ? and(...conditions) : undefined);
      return row?.count ?? 0;
    },
    async countByTeam(teamId) {
      if (!isUuid(teamId)) return 0;
      const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(apiKeys).where(eq(apiKeys.teamId, teamId));
      return row?.count ?? 0;
    },
  };
}
