// Usage reports against the truth: records at known times, then ranges that start and end at
// midnight, before noon, after noon and within a day; every report (rollups plus or minus event
// edges) must equal the sum over the records in the range, per group.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../src/core/metering/metering-ports.ts';
import { emptyFilter, type UsageGrouping } from '../../src/core/metering/usage-report.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsageEventStore } from '../../src/db/usage-event-store.ts';
import { createUsageRepository } from '../../src/db/usage-repository.ts';
import { databaseCases } from '../helpers/databases.ts';
import { usageRecord } from '../helpers/usage-records.ts';

const HOUR = 3_600_000;
const base = Date.parse('2025-03-01T00:00:00Z');

describe.each(databaseCases)('usage reports ($name)', ({ open }) => {
  let database: Database;
  const records: UsageRecord[] = [];

  beforeAll(async () => {
    database = await open();
    await database.migrate();
    await database.db.execute(sql`truncate usage_events, usage_daily`);
    // Every 5 hours for 6 days, over two keys, two models and an end user on every third.
    for (let hour = 0; hour < 6 * 24; hour += 5) {
      records.push(
        usageRecord({
          createdAt: new Date(base + hour * HOUR + 17 * 60_000),
          keyId: hour % 2 ? 'key-a' : 'key-b',
          model: hour % 3 ? 'small' : 'large',
          endUser: hour % 3 === 0 ? 'end-user' : null,
          usage: { inputTokens: hour, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
          cost: BigInt(hour * 10 + 1),
          status: hour % 7 === 0 ? 'ERROR' : 'SUCCESS',
          cacheHit: hour % 4 === 0,
        }),
      );
    }
    await createUsageEventStore(database.db).write(records);
  });
  afterAll(async () => {
    await database?.close();
  });

  const at = (iso: string) => new Date(`2025-03-0${iso}Z`);
  const ranges: Array<[string, Date | null, Date | null]> = [
    ['whole days', at('2T00:00:00'), at('5T00:00:00')],
    ['starts before noon, ends after noon', at('1T06:30:00'), at('4T20:00:00')],
    ['starts after noon, ends before noon', at('1T13:00:00'), at('5T02:00:00')],
    ['open start, mid-day end', null, at('3T11:59:00')],
    ['mid-day start, open end', at('2T03:00:00'), null],
    ['within one day', at('3T02:00:00'), at('3T22:00:00')],
    ['across one midnight', at('3T20:00:00'), at('4T04:00:00')],
    ['everything', null, null],
  ];
  const groupings: UsageGrouping[][] = [[], ['DAY'], ['KEY', 'MODEL'], ['DAY', 'END_USER'], ['CACHE_HIT'], ['DAY', 'CACHE_HIT']];

  it.each(ranges)('%s: every grouping equals the sum over the records', async (_name, from, to) => {
    const repository = createUsageRepository(database.db);
    const inRange = records.filter((r) => (!from || r.createdAt >= from) && (!to || r.createdAt < to));
    for (const groupBy of groupings) {
      const report = await repository.report({ ...emptyFilter(), from, to }, groupBy);
      expect(report.totals).toMatchObject({
        requests: inRange.length,
        failedRequests: inRange.filter((r) => r.status === 'ERROR').length,
        cacheHits: inRange.filter((r) => r.cacheHit).length,
        inputTokens: inRange.reduce((sum, r) => sum + r.usage.inputTokens, 0),
        costMicro: inRange.reduce((sum, r) => sum + r.cost, 0n),
      });
      const expected = new Map<string, number>();
      for (const r of inRange) {
        const key = JSON.stringify([
          groupBy.includes('DAY') ? r.createdAt.toISOString().slice(0, 10) : null,
          groupBy.includes('KEY') ? r.keyId : null,
          groupBy.includes('MODEL') ? r.model : null,
          groupBy.includes('END_USER') ? r.endUser : null,
          groupBy.includes('CACHE_HIT') ? r.cacheHit : null,
        ]);
        expected.set(key, (expected.get(key) ?? 0) + 1);
      }
      const actual = new Map(report.series.map((row) => [JSON.stringify([row.day, row.keyId, row.model, row.endUser, row.cacheHit]), row.requests]));
      expect(actual, `${JSON.stringify(groupBy)} ${report.source}`).toEqual(expected);
    }
  });

  it('filters by key, model and end user alike on rollups and events', async () => {
    const repository = createUsageRepository(database.db);
    const filter = { ...emptyFilter(), from: at('1T06:30:00'), to: at('4T20:00:00'), keyIds: ['key-a'], models: ['large'], endUsers: ['end-user'] };
    const report = await repository.report(filter, ['DAY']);
    const expected = records.filter((r) => r.createdAt >= filter.from && r.createdAt < filter.to && r.keyId === 'key-a' && r.model === 'large' && r.endUser === 'end-user');
    expect(expected.length).toBeGreaterThan(1);
    expect(report.source).toBe('ROLLUPS_AND_EVENTS');
    expect(report.totals.requests).toBe(expected.length);
  });

  it('filters by cacheHit alike on rollups and events, in reports, pages and counts', async () => {
    const repository = createUsageRepository(database.db);
    for (const cacheHit of [true, false]) {
      const filter = { ...emptyFilter(), from: at('1T06:30:00'), to: at('4T20:00:00'), cacheHit };
      const expected = records.filter((r) => r.createdAt >= filter.from && r.createdAt < filter.to && r.cacheHit === cacheHit);
      expect(expected.length).toBeGreaterThan(1);
      const report = await repository.report(filter, []);
      expect(report.source).toBe('ROLLUPS_AND_EVENTS');
      expect(report.totals).toMatchObject({ requests: expected.length, cacheHits: cacheHit ? expected.length : 0, costMicro: expected.reduce((sum, r) => sum + r.cost, 0n) });
      expect(await repository.count(filter)).toBe(expected.length);
      const page = await repository.list(filter, 100, null);
      expect(page.items.map((item) => item.id).sort()).toEqual(expected.map((r) => r.id).sort());
    }
  });
});
