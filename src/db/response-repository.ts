// Stored Responses API responses (core/stored-responses.ts) in the stored_responses table.
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { ResponseStore, StoredResponse } from '../core/stored-responses.ts';
import type { Db } from './client.ts';
import { storedResponses } from './schema.ts';
import { rowsOf } from './usage-event-store.ts';

/** A conversation longer than this many turns is cut (a cycle cannot form, ids are fresh, but bound it anyway). */
const MAX_CONVERSATION_TURNS = 10_000;

const unexpired = (now: Date) => or(isNull(storedResponses.expiresAt), gt(storedResponses.expiresAt, now));

/** The row's columns are the StoredResponse's fields. */
const toStoredResponse = (row: typeof storedResponses.$inferSelect): StoredResponse => ({ ...row });

interface ChainRow {
  id: string;
  owner: string;
  previous_response_id: string | null;
  input: unknown[];
  response: Record<string, unknown>;
  created_at: Date | string;
  expires_at: Date | string | null;
}

const toDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

export function createResponseRepository(db: Db): ResponseStore {
  return {
    async save(response) {
      await db.insert(storedResponses).values(response);
    },
    async find(id, owner, now) {
      const [row] = await db
        .select()
        .from(storedResponses)
        .where(and(eq(storedResponses.id, id), eq(storedResponses.owner, owner), unexpired(now)));
      return row ? toStoredResponse(row) : null;
    },
    async conversation(id, owner, now) {
      // postgres.js takes no Date parameter in raw SQL: the instant goes as ISO text.
      const at = sql`${now.toISOString()}::timestamptz`;
      const result = await db.execute(sql`
        with recursive chain as (
          select r.*, 1 as depth from stored_responses r
          where r.id = ${id} and r.owner = ${owner} and (r.expires_at is null or r.expires_at > ${at})
          union all
          select r.*, chain.depth + 1 from stored_responses r
          join chain on r.id = chain.previous_response_id
          where r.owner = ${owner} and (r.expires_at is null or r.expires_at > ${at}) and chain.depth < ${MAX_CONVERSATION_TURNS}::int
        )
        select id, owner, previous_response_id, input, response, created_at, expires_at from chain order by depth desc`);
      return rowsOf<ChainRow>(result).map((row) => ({
        id: row.id,
        owner: row.owner,
        previousResponseId: row.previous_response_id,
        input: row.input,
        response: row.response,
        createdAt: toDate(row.created_at),
        expiresAt: row.expires_at === null ? null : toDate(row.expires_at),
      }));
    },
    async delete(id, owner) {
      const rows = await db
        .delete(storedResponses)
        .where(and(eq(storedResponses.id, id), eq(storedResponses.owner, owner)))
        .returning({ id: storedResponses.id });
      return rows.length > 0;
    },
  };
}
