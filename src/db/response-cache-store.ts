// The response cache on Postgres or PGlite (table response_cache_entries). Expired rows are never
// read; a trim after writes (at most once per `trimIntervalMs`, off the request path) deletes the
// expired rows and then the oldest until the total size is within `maxTotalBytes`.
import { and, eq, gt, lte, sql, type SQL } from 'drizzle-orm';
import type { ResponseCacheStore } from '../core/cache/response-cache-store.ts';
import type { Db } from './client.ts';
import { responseCacheEntries } from './schema.ts';

export interface PostgresResponseCacheOptions {
  maxTotalBytes: number;
  /** The least time between two trims; 0: after every write. */
  trimIntervalMs?: number;
}

export function createPostgresResponseCacheStore(db: Db, options: PostgresResponseCacheOptions): ResponseCacheStore & { trim(now: number): Promise<void> } {
  const trimIntervalMs = options.trimIntervalMs ?? 1000;
  let lastTrim = 0;
  let trimming: Promise<void> | null = null;

  async function trim(now: number): Promise<void> {
    // Through the column (not a raw sql template): postgres-js cannot bind a bare Date.
    await db.delete(responseCacheEntries).where(lte(responseCacheEntries.expiresAt, new Date(now)));
    // Newest first, the running total of sizes; what lies beyond the limit goes.
    await db.execute(sql`
      DELETE FROM response_cache_entries WHERE key IN (
        SELECT key FROM (
          SELECT key, sum(size_bytes) OVER (ORDER BY created_at DESC, key) AS running FROM response_cache_entries
        ) AS ranked WHERE running > ${options.maxTotalBytes}
      )`);
  }

  return {
    async get(key, now) {
      const rows = await db
        .select({ body: responseCacheEntries.body, expiresAt: responseCacheEntries.expiresAt })
        .from(responseCacheEntries)
        .where(and(eq(responseCacheEntries.key, key), gt(responseCacheEntries.expiresAt, new Date(now))))
        .limit(1);
      const row = rows[0];
      return row ? { body: row.body, expiresAt: row.expiresAt.getTime() } : null;
    },
    async set(entry) {
      const row = {
        key: entry.key,
        teamId: entry.teamId,
        keyId: entry.keyId,
        model: entry.model,
        kind: entry.kind,
        body: entry.body,
        sizeBytes: Buffer.byteLength(entry.body),
        createdAt: new Date(entry.createdAt),
        expiresAt: new Date(entry.expiresAt),
      };
      const { key: _key, ...update } = row;
      await db.insert(responseCacheEntries).values(row).onConflictDoUpdate({ target: responseCacheEntries.key, set: update });
      if (!trimming && entry.createdAt - lastTrim >= trimIntervalMs) {
        lastTrim = entry.createdAt;
        trimming = trim(entry.createdAt).finally(() => (trimming = null));
        await trimming;
      }
    },
    async purge(filter) {
      const conditions: SQL[] = [];
      if (filter.teamId !== undefined) conditions.push(eq(responseCacheEntries.teamId, filter.teamId));
      if (filter.keyId !== undefined) conditions.push(eq(responseCacheEntries.keyId, filter.keyId));
      if (filter.model !== undefined) conditions.push(eq(responseCacheEntries.model, filter.model));
      const deleted = await db
        .delete(responseCacheEntries)
        .where(conditions.length ? and(...conditions) : undefined)
        .returning({ key: responseCacheEntries.key });
      return deleted.length;
    },
    trim,
  };
}
