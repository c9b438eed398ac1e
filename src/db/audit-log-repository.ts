import { desc, eq, lt, type SQL } from 'drizzle-orm';
import { isUuid } from '../core/ids.ts';
import type { AuditLogRepository } from '../core/keys/types.ts';
import type { Db } from './client.ts';
import { allOf, pageOf } from './repository-paging.ts';
import { auditLog } from './schema.ts';

export function createAuditLogRepository(db: Db): AuditLogRepository {
  return {
    async append(entry) {
      await db.insert(auditLog).values({ ...entry, before: entry.before ?? null, after: entry.after ?? null });
    },
    async list(first, after, filter) {
      // A cursor is a position in time (see below); text that is not a UUID is past every entry.
      if (after && !isUuid(after)) return { items: [], hasMore: false };
      const conditions: SQL[] = [];
      if (filter.targetType) conditions.push(eq(auditLog.targetType, filter.targetType));
      if (filter.targetId) conditions.push(eq(auditLog.targetId, filter.targetId));
      // Ids are UUIDv7: ordering by id is ordering by time.
      if (after) conditions.push(lt(auditLog.id, after));
      return pageOf(first, (limit) => db.select().from(auditLog).where(allOf(conditions)).orderBy(desc(auditLog.id)).limit(limit));
    },
  };
}
