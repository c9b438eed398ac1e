// The sweep of expired stored responses (responses.ttlSeconds): rows past expires_at go, in
// batches; rows not yet expired and rows kept forever (no expiry) stay; the interval runs it
// without being asked and stop() waits for a sweep in flight.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { deleteExpiredResponses, startResponseExpiry } from '../../src/db/response-expiry.ts';
import { createResponseRepository } from '../../src/db/response-repository.ts';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { databaseCases } from '../helpers/databases.ts';

const now = Date.parse('2026-05-01T12:00:00Z');
const MINUTE = 60_000;

describe.each(databaseCases)('expired stored responses ($name)', ({ open }) => {
  let database: Database;

  beforeAll(async () => {
    database = await open();
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
  });

  async function seed(expiries: Array<number | null>): Promise<void> {
    await database.db.execute(sql`truncate stored_responses`);
    const store = createResponseRepository(database.db);
    for (const [index, expiresAt] of expiries.entries()) {
      await store.save({ id: `resp_${index}`, owner: 'key:k', previousResponseId: null, input: [], response: { id: `resp_${index}` }, expiresAt: expiresAt === null ? null : new Date(expiresAt) });
    }
  }
  const ids = async () => rowsOf<{ id: string }>(await database.db.execute(sql`select id from stored_responses order by id`)).map((row) => row.id);

  beforeEach(async () => {
    // 0-4 expired (one exactly now), 5-6 expire later, 7 is kept until deleted.
    await seed([now - 60 * MINUTE, now - 2 * MINUTE, now - MINUTE, now - 1, now, now + 1, now + 60 * MINUTE, null]);
  });

  it('deletes every expired row in batches and keeps the rest', async () => {
    expect(await deleteExpiredResponses(database.db, new Date(now), 2)).toBe(5);
    expect(await ids()).toEqual(['resp_5', 'resp_6', 'resp_7']);
    expect(await deleteExpiredResponses(database.db, new Date(now), 2)).toBe(0);
  });

  it('runs on its interval, and stop() ends it', async () => {
    const sweeper = startResponseExpiry({ db: database.db, clock: { now: () => now + 30 * MINUTE }, intervalMs: 20 });
    await expect.poll(ids, { timeout: 5000, interval: 20 }).toEqual(['resp_6', 'resp_7']);
    await sweeper.stop();
    await seed([now - MINUTE]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await ids()).toEqual(['resp_0']);
    expect(await sweeper.run()).toBe(1);
  });
});
