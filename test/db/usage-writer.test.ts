// The usage writer and the SQL behind it, on PGlite and Postgres: batching, rollups maintained in
// the same statement, flush on stop, the bounded buffer across a database outage, idempotent
// retries, isolation of records the database rejects, retention in small batches, and budget
// reservations under concurrency.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/metering/metering-ports.ts';
import { claimOf } from '../../src/core/metering/budgets.ts';
import { LeasedBudgetLedger } from '../../src/core/metering/budget-leases.ts';
import { createBudgetLeaseStore } from '../../src/db/budget-lease-store.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsageEventStore, rowsOf, type UsageBatchStore } from '../../src/db/usage-event-store.ts';
import { deleteStaleBudgetSpend, deleteUsageEventsBefore, startUsageRetention } from '../../src/db/usage-retention.ts';
import { UsageWriter } from '../../src/db/usage-writer.ts';
import { databaseCases } from '../helpers/databases.ts';
import { usageRecord } from '../helpers/usage-records.ts';

const waitFor = async (condition: () => Promise<boolean> | boolean, ms = 10_000) => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
};

describe.each(databaseCases)('usage writer ($name)', ({ open }) => {
  let database: Database;
  let store: UsageBatchStore;
  const count = async (table = 'usage_events') => Number(rowsOf<{ n: number }>(await database.db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n);
  /** The rollups' totals and the same totals summed from the events. */
  const totals = async () => {
    const [daily] = rowsOf<Record<string, string>>(
      await database.db.execute(sql`select sum(requests)::text as requests, sum(input_tokens)::text as input, sum(cost_micro)::text as cost from usage_daily`),
    );
    const [events] = rowsOf<Record<string, string>>(
      await database.db.execute(sql`select count(*)::text as requests, sum(input_tokens)::text as input, sum(cost_micro)::text as cost from usage_events`),
    );
    return { daily, events };
  };

  beforeAll(async () => {
    database = await open();
    await database.migrate();
    store = createUsageEventStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.execute(sql`truncate usage_events, usage_daily, budget_spend`);
  });

  it('writes N records as N rows in a few multi-row statements, within the flush interval, with matching rollups', async () => {
    let statements = 0;
    const committed: UsageRecord[] = [];
    const writer = new UsageWriter({
      store: { write: (records) => (statements++, store.write(records)) },
      flushIntervalMs: 250,
      onCommitted: (records) => committed.push(...records),
    });
    const records = Array.from({ length: 3000 }, () => usageRecord());
    const started = Date.now();
    for (const record of records) writer.record(record);
    expect(writer.status().buffered).toBeGreaterThan(0);
    await waitFor(async () => (await count()) === 3000);
    // 3000 records in batches of at most 2000: a handful of statements, not 3000.
    expect(statements).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(250 + 2000);
    expect(committed.map((record) => record.id).sort()).toEqual(records.map((record) => record.id).sort());
    const { daily, events } = await totals();
    expect(daily).toEqual(events);
    expect(daily).toEqual({ requests: '3000', input: '30000', cost: String(3000 * 1500) });
    // One rollup row per (day, key, end user, ...) group, not per event.
    expect(await count('usage_daily')).toBeLessThanOrEqual(6 * 2);
    await writer.stop();
  });

  it('writes a lone record within the flush interval', async () => {
    const writer = new UsageWriter({ store, flushIntervalMs: 250 });
    writer.record(usageRecord());
    const took = await waitFor(async () => (await count()) === 1);
    expect(took).toBeLessThan(250 + 500);
    await writer.stop();
  });

  it('writes out everything buffered on stop', async () => {
    const writer = new UsageWriter({ store, flushIntervalMs: 60_000 });
    for (let i = 0; i < 1234; i++) writer.record(usageRecord());
    await writer.stop();
    expect(await count()).toBe(1234);
    writer.record(usageRecord());
    expect(writer.status()).toMatchObject({ buffered: 0, dropped: 1 });
  });

  it('keeps records in a bounded buffer while the database fails, serves them by id, and writes them when it is back', async () => {
    let down = true;
    const writer = new UsageWriter({
      store: { write: (records) => (down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) : store.write(records)) },
      flushIntervalMs: 20,
      maxBackoffMs: 200,
      bufferLimit: 500,
    });
    const records = Array.from({ length: 520 }, () => usageRecord());
    for (const record of records) writer.record(record);
    await waitFor(() => writer.status().databaseReachable === false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(writer.status()).toMatchObject({ buffered: 500, dropped: 20, databaseReachable: false, lastError: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(writer.find(records[10]!.id)?.id).toBe(records[10]!.id);
    expect(await count()).toBe(0);
    down = false;
    await waitFor(() => writer.status().buffered === 0);
    expect(writer.status()).toMatchObject({ databaseReachable: true, lastError: null, written: 500 });
    expect(await count()).toBe(500);
    await writer.stop();
  });

  it('writes a backlog two statements at a time; a batch that fails is retried first, and every record lands once', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let calls = 0;
    const committed: string[] = [];
    const writer = new UsageWriter({
      store: {
        async write(records) {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          try {
            // The second statement fails once, while the first commits.
            if (++calls === 2) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
            return await store.write(records);
          } finally {
            inFlight--;
          }
        },
      },
      batchSize: 100,
      flushIntervalMs: 10,
      maxBackoffMs: 20,
      onCommitted: (records) => committed.push(...records.map((record) => record.id)),
    });
    const records = Array.from({ length: 450 }, () => usageRecord());
    for (const record of records) writer.record(record);
    await writer.stop();
    expect(mostInFlight).toBe(2);
    expect(await count()).toBe(450);
    expect(committed.sort()).toEqual(records.map((record) => record.id).sort());
    const { daily, events } = await totals();
    expect(daily).toEqual(events);
    expect(daily!.requests).toBe('450');
    expect(writer.status()).toMatchObject({ written: 450, buffered: 0, dropped: 0, databaseReachable: true });
  });

  it('counts a batch once when a write committed but reported failure, and retries it', async () => {
    let failAfterCommit = 1;
    const writer = new UsageWriter({
      store: {
        async write(records) {
          const inserted = await store.write(records);
          if (failAfterCommit-- > 0) throw Object.assign(new Error('connection reset after commit'), { code: 'ECONNRESET' });
          return inserted;
        },
      },
      flushIntervalMs: 10,
      maxBackoffMs: 20,
    });
    for (let i = 0; i < 100; i++) writer.record(usageRecord());
    await writer.stop();
    expect(await count()).toBe(100);
    const { daily, events } = await totals();
    expect(daily).toEqual(events);
    expect(daily!.requests).toBe('100');
  });

  it('drops only the record the database rejects, and writes the rest', async () => {
    const writer = new UsageWriter({ store, flushIntervalMs: 10 });
    writer.record(usageRecord());
    writer.record(usageRecord({ id: 'not-a-uuid' }));
    writer.record(usageRecord());
    await writer.stop();
    expect(await count()).toBe(2);
    expect(writer.status()).toMatchObject({ dropped: 1, buffered: 0 });
  });

  it('deletes expired raw events in small batches and keeps the rollups', async () => {
    const old = new Date(Date.now() - 40 * 86_400_000);
    await store.write(Array.from({ length: 250 }, () => usageRecord({ createdAt: old })));
    await store.write(Array.from({ length: 30 }, () => usageRecord()));
    const rollupsBefore = await totals();
    const deleted = await deleteUsageEventsBefore(database.db, new Date(Date.now() - 30 * 86_400_000), 100);
    expect(deleted).toBe(250);
    expect(await count()).toBe(30);
    expect((await totals()).daily).toEqual(rollupsBefore.daily);
  });

  it('drops the spend of budget periods that ended over a month ago, keeps current and lifetime budgets', async () => {
    const ledger = new LeasedBudgetLedger({ store: createBudgetLeaseStore(database.db), instanceId: 'retention', ttlMs: 30_000 });
    const now = Date.now();
    const longAgo = now - 100 * 86_400_000;
    const claims = [
      claimOf({ scope: 'KEY', scopeId: 'stale-daily', amountMicro: 1000n, period: 'DAILY' }, 'key', longAgo),
      claimOf({ scope: 'KEY', scopeId: 'stale-monthly', amountMicro: 1000n, period: 'MONTHLY' }, 'key', longAgo),
      claimOf({ scope: 'KEY', scopeId: 'stale-lifetime', amountMicro: 1000n, period: 'LIFETIME' }, 'key', longAgo),
      claimOf({ scope: 'KEY', scopeId: 'stale-daily', amountMicro: 1000n, period: 'DAILY' }, 'key', now),
      claimOf({ scope: 'TEAM', scopeId: 'stale-monthly', amountMicro: 1000n, period: 'MONTHLY' }, 'team', now),
    ];
    for (const claim of claims) {
      expect(await ledger.reserve([claim], 10n)).toBeNull();
      await ledger.settle([claim], 10n, 7n);
    }
    // Spend written back, leases returned.
    await ledger.stop();
    const rows = async () =>
      rowsOf<{ scope: string; scope_id: string }>(await database.db.execute(sql`select scope, scope_id from budget_spend where scope_id like 'stale-%' order by scope, scope_id, period_start`)).map(
        (row) => `${row.scope}:${row.scope_id}`,
      );
    expect(await rows()).toHaveLength(5);
    // The hourly job does it (it also runs without a retention for raw events).
    const retention = startUsageRetention({ db: database.db, retentionDays: null, clock: { now: () => now } });
    await retention.run();
    await retention.stop();
    expect(await rows()).toEqual(['KEY:stale-daily', 'KEY:stale-lifetime', 'TEAM:stale-monthly']);
    // The current periods still count what was spent in them.
    expect(await ledger.spend([claims[3]!, claims[2]!])).toEqual([
      { spentMicro: 7n, reservedMicro: 0n, leasedMicro: 0n },
      { spentMicro: 7n, reservedMicro: 0n, leasedMicro: 0n },
    ]);
    expect(await deleteStaleBudgetSpend(database.db, new Date(now - 62 * 86_400_000))).toBe(0);
  });
});

describe('usage writer timing', () => {
  it('starts writing a record within the flush interval of its arrival, also when it arrives during a slow write', async () => {
    const starts: Array<{ at: number; ids: string[] }> = [];
    const writer = new UsageWriter({
      store: {
        async write(records) {
          starts.push({ at: Date.now(), ids: records.map((record) => record.id) });
          await new Promise((resolve) => setTimeout(resolve, 200));
          return new Set(records.map((record) => record.id));
        },
      },
      flushIntervalMs: 250,
    });
    const first = usageRecord();
    const t0 = Date.now();
    writer.record(first);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first batch is being written now (250..450 ms).
    const second = usageRecord();
    const arrived = Date.now();
    writer.record(second);
    await waitFor(() => starts.some((start) => start.ids.includes(second.id)));
    const firstStart = starts.find((start) => start.ids.includes(first.id))!.at - t0;
    const secondStart = starts.find((start) => start.ids.includes(second.id))!.at - arrived;
    expect(firstStart).toBeGreaterThanOrEqual(240);
    expect(firstStart).toBeLessThan(380);
    expect(secondStart).toBeLessThan(380);
    await writer.stop();
  });
});
