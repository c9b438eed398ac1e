// A usage record the database refuses for good (an end-user id too large for the rollup index,
// 54000; a NUL byte, 22021) must not hold up the records of other tenants: the writer splits the
// batch, keeps the bad record in usage_dead_letters with its error, counts it in `health`, and
// writes everything else, on PGlite and real Postgres. The edges refuse such values (see
// input-bounds.test.ts), so these tests hand records to the writer and the service directly.
// Issue 15, item 1.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/metering/metering-ports.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsageDeadLetterStore } from '../../src/db/usage-dead-letters.ts';
import { createUsageEventStore, rowsOf } from '../../src/db/usage-event-store.ts';
import { UsageWriter } from '../../src/db/usage-writer.ts';
import { databaseCases } from '../helpers/databases.ts';
import { bearer, eventually, usageFlushed } from '../helpers/metering.ts';
import { startTestApp, testConfig } from '../helpers/test-app.ts';
import { usageRecord } from '../helpers/usage-records.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

/** Random text: does not compress, so ~4 KB stays ~4 KB in the rollup's unique index (limit ~2.7 KB). */
const hugeEndUser = () => randomBytes(3000).toString('base64');

interface DeadLetterRow {
  record_id: string;
  record: string;
  error_code: string | null;
  error_message: string;
}

describe.each(databaseCases)('usage dead letters ($name)', ({ open }) => {
  let database: Database;
  const count = async (where = sql`true`) => Number(rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from usage_events where ${where}`))[0]!.n);
  const deadLetters = async () => rowsOf<DeadLetterRow>(await database.db.execute(sql`select record_id, record, error_code, error_message from usage_dead_letters order by failed_at`));

  beforeAll(async () => {
    database = await open();
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.execute(sql`truncate usage_events, usage_daily, usage_dead_letters`);
  });

  const newWriter = (committed: UsageRecord[] = [], lines: string[] = []) =>
    new UsageWriter({
      store: createUsageEventStore(database.db),
      deadLetters: createUsageDeadLetterStore(database.db),
      flushIntervalMs: 20,
      onCommitted: (records) => committed.push(...records),
      logger: recordingLogger(lines),
    });

  it.each([
    ['an end-user id too large for the rollup index', '54000', hugeEndUser],
    ['a NUL byte in the end-user id', '22021', () => 'x\u0000y'],
  ])('%s: the record is dead-lettered and every other tenant\'s record is written', async (_label, sqlState, endUser) => {
    const committed: UsageRecord[] = [];
    const lines: string[] = [];
    const writer = newWriter(committed, lines);
    const bad = usageRecord({ keyId: 'tenant-a', endUser: endUser() });
    // The bad record first, others in the same batch after it, and more in later batches.
    const sameBatch = Array.from({ length: 40 }, (_, i) => usageRecord({ keyId: `tenant-${i % 2 ? 'b' : 'c'}` }));
    for (const record of [bad, ...sameBatch]) writer.record(record);
    await eventually(async () => (await count()) === sameBatch.length);
    const later = Array.from({ length: 40 }, () => usageRecord({ keyId: 'tenant-d' }));
    for (const record of later) writer.record(record);
    await eventually(async () => (await count()) === sameBatch.length + later.length);

    expect(await count(sql`id = ${bad.id}`)).toBe(0);
    const [letter, ...others] = await deadLetters();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ record_id: bad.id, error_code: sqlState });
    expect(letter!.error_message).not.toContain('Failed query');
    // The record as JSON, with what an operator needs to replay it.
    expect(JSON.parse(letter!.record)).toMatchObject({ id: bad.id, keyId: 'tenant-a', endUser: bad.endUser, cost: '1500', requestedModel: 'chat' });

    expect(writer.status()).toMatchObject({ buffered: 0, dropped: 0, deadLettered: 1, written: 80, databaseReachable: true, lastError: null });
    expect(committed.map((record) => record.id).sort()).toEqual([...sameBatch, ...later].map((record) => record.id).sort());
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^metering: usage record ${bad.id} refused by the database \\(${sqlState}: .*\\); kept in usage_dead_letters$`))]);
    // The rollups hold exactly the written records.
    const [daily] = rowsOf<{ requests: string }>(await database.db.execute(sql`select sum(requests)::text as requests from usage_daily`));
    expect(daily!.requests).toBe('80');
    await writer.stop();
  });

  it('isolates several bad records in one large batch in a few statements each, not one per record', async () => {
    let statements = 0;
    const store = createUsageEventStore(database.db);
    const writer = new UsageWriter({
      store: { write: (records) => (statements++, store.write(records)) },
      deadLetters: createUsageDeadLetterStore(database.db),
      flushIntervalMs: 20,
    });
    const records = Array.from({ length: 1000 }, () => usageRecord());
    const badIds = [10, 500, 990].map((index) => (records[index] = usageRecord({ endUser: hugeEndUser() })).id);
    for (const record of records) writer.record(record);
    await writer.stop();
    expect(await count()).toBe(997);
    expect((await deadLetters()).map((row) => row.record_id).sort()).toEqual([...badIds].sort());
    // Halving 1000 records down to 3 bad ones: about 2·log2(1000) statements each, far from 1000.
    expect(statements).toBeLessThan(70);
  });

  it('stores an attempt whose upstream error text holds a NUL or a lone surrogate (jsonb refuses both), with U+FFFD in their place', async () => {
    const writer = newWriter();
    const attempt = usageRecord().attempts[0]!;
    const records = [
      usageRecord({ attempts: [{ ...attempt, errorCode: 'UPSTREAM_ERROR', errorMessage: 'bad\u0000byte' }] }),
      usageRecord({ attempts: [{ ...attempt, errorCode: 'UPSTREAM_ERROR', errorMessage: 'half \ud800 pair' }] }),
      usageRecord({ attempts: [{ ...attempt, errorCode: 'UPSTREAM_ERROR', errorMessage: 'a whole pair \ud83d\ude00 stays' }] }),
    ];
    for (const record of records) writer.record(record);
    await writer.stop();
    expect(await deadLetters()).toEqual([]);
    const stored = rowsOf<{ id: string; message: string }>(
      await database.db.execute(sql`select id, attempts->0->>'errorMessage' as message from usage_events`),
    );
    expect(new Map(stored.map((row) => [row.id, row.message]))).toEqual(
      new Map([
        [records[0]!.id, 'bad\uFFFDbyte'],
        [records[1]!.id, 'half \uFFFD pair'],
        [records[2]!.id, 'a whole pair \ud83d\ude00 stays'],
      ]),
    );
  });

  it('keeps a refused record buffered (not lost) while the dead-letter table cannot be reached, and dead-letters it after', async () => {
    const real = createUsageDeadLetterStore(database.db);
    let down = true;
    const writer = new UsageWriter({
      store: createUsageEventStore(database.db),
      deadLetters: { add: (record, failure) => (down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : real.add(record, failure)) },
      flushIntervalMs: 20,
      maxBackoffMs: 50,
    });
    const bad = usageRecord({ endUser: 'x\u0000y' });
    const good = usageRecord();
    writer.record(bad);
    writer.record(good);
    // Failing to reach the database mid-split is an outage like any other: what is not written waits.
    await eventually(() => writer.status().databaseReachable === false);
    expect(writer.status()).toMatchObject({ buffered: 2, dropped: 0, deadLettered: 0, lastError: 'connect ECONNREFUSED' });
    down = false;
    await eventually(() => writer.status().deadLettered === 1 && writer.status().buffered === 0);
    expect((await deadLetters()).map((row) => row.record_id)).toEqual([bad.id]);
    expect(await count(sql`id = ${good.id}`)).toBe(1);
    expect(writer.status()).toMatchObject({ dropped: 0, written: 1, databaseReachable: true });
    await writer.stop();
  });

  it('through the app: a record refused for good shows in health and holds up no other key\'s requests', async () => {
    const app = await startTestApp(
      testConfig({
        providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }],
        models: [{ name: 'chat', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } }],
      }),
      database,
    );
    try {
      const other = await app.createKey({ name: 'other tenant', scopes: ['INFERENCE'] });
      // Straight to the service, past the edge's bounds: the record of this request cannot be stored.
      const outcome = await app.app.services.completions.create(
        { model: 'chat', parameters: { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], user: hugeEndUser() } },
        new AbortController().signal,
      );
      const chat = () =>
        fetch(`${app.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(other.secret) },
          body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], user: 'someone' }),
        });
      const responses = await Promise.all(Array.from({ length: 5 }, chat));
      expect(responses.map((response) => response.status)).toEqual(Array(5).fill(200));
      await usageFlushed(app);
      expect(await count(sql`key_id = ${other.id}`)).toBe(5);
      expect((await deadLetters()).map((row) => row.record_id)).toEqual([outcome.generationId]);
      const health = await app.graphql(`{ health { status metering { deadLettered dropped buffered databaseReachable lastError } } }`);
      expect(health.data.health).toEqual({ status: 'OK', metering: { deadLettered: 1, dropped: 0, buffered: 0, databaseReachable: true, lastError: null } });
    } finally {
      await app.stop();
    }
  });
});
