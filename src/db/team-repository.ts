import { and, asc, eq, gt, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { isUuid, uuidsOnly } from '../core/ids.ts';
import { limitsOf, type Team, type TeamChanges, type TeamRepository } from '../core/keys/types.ts';
import type { Db } from './client.ts';
import { allOf, pageOf } from './repository-paging.ts';
import { teamMembers, teams, users } from './schema.ts';

function toTeam(row: typeof teams.$inferSelect): Team {
  return {
    id: row.id,
    name: row.name,
    allowedModels: row.allowedModels ?? null,
    metadata: row.metadata,
    cacheTtlSeconds: row.cacheTtlSeconds ?? null,
    ...limitsOf(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The name search, shared by a page and the count. */
function searchConditions(search: string | null): SQL[] {
  return search ? [ilike(teams.name, `%${search.replace(/[%_\\]/g, '\\$&')}%`)] : [];
}

export function createTeamRepository(db: Db): TeamRepository {
  return {
    async insert(team) {
      const [row] = await db.insert(teams).values(team).returning();
      return toTeam(row!);
    },
    async update(id, changes: TeamChanges) {
      if (!isUuid(id)) return null;
      const [row] = await db.update(teams).set({ ...changes, updatedAt: sql`now()` }).where(eq(teams.id, id)).returning();
      return row ? toTeam(row) : null;
    },
    async delete(id) {
      if (!isUuid(id)) return false;
      const rows = await db.delete(teams).where(eq(teams.id, id)).returning({ id: teams.id });
      return rows.length > 0;
    },
    async findByIds(ids) {
      const known = uuidsOnly(ids);
      if (known.length === 0) return [];
      const rows = await db.select().from(teams).where(inArray(teams.id, known));
      return rows.map(toTeam);
    },
    async list(first, after, search) {
      const conditions = searchConditions(search);
      // An unknown cursor (malformed ones included) starts from the first page.
      if (after && isUuid(after)) {
        const [cursor] = await db.select({ name: teams.name }).from(teams).where(eq(teams.id, after));
        if (cursor) conditions.push(gt(teams.name, cursor.name));
      }
      const page = await pageOf(first, (limit) => db.select().from(teams).where(allOf(conditions)).orderBy(asc(teams.name)).limit(limit));
      return { items: page.items.map(toTeam), hasMore: page.hasMore };
    },
    async count(search) {
      const conditions = searchConditions(search);
      const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(teams).where(allOf(conditions));
      return row?.count ?? 0;
    },
    async upsertUser(email, name) {
      const [row] = await db
        .insert(users)
        .values({ email: email.toLowerCase(), name })
        .onConflictDoUpdate({ target: users.email, set: { ...(name !== null ? { name } : {}), updatedAt: sql`now()` } })
        .returning();
      return { id: row!.id, email: row!.email, name: row!.name, createdAt: row!.createdAt };
    },
    async findUsersByIds(ids) {
      const known = uuidsOnly(ids);
      if (known.length === 0) return [];
      const rows = await db.select().from(users).where(inArray(users.id, known));
      return rows.map((row) => ({ id: row.id, email: row.email, name: row.name, createdAt: row.createdAt }));
    },
    async addMember(teamId, userId, role) {
      const [row] = await db
        .insert(teamMembers)
        .values({ teamId, userId, role })
        .onConflictDoUpdate({ target: [teamMembers.teamId, teamMembers.userId], set: { role } })
        .returning();
      return row!;
    },
    async removeMember(teamId, userId) {
      if (!isUuid(teamId) || !isUuid(userId)) return false;
      const rows = await db
        .delete(teamMembers)
        .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
        .returning({ teamId: teamMembers.teamId });
      return rows.length > 0;
    },
    async membersOfTeams(teamIds) {
      const known = uuidsOnly(teamIds);
      if (known.length === 0) return [];
      return db.select().from(teamMembers).where(inArray(teamMembers.teamId, known)).orderBy(asc(teamMembers.createdAt));
    },
  };
}
