// Issue #18's promise: once an instance holds a lease on a budget, a budgeted request makes no
// round trip to the budget's tables. Proved on real Postgres by locking those tables (ACCESS
// EXCLUSIVE: every read and write of them waits) while a burst the lease covers is served: every
// request must be answered, and the background sync, which does wait, catches up afterwards. (A
// lease's slice follows demand, 16 of the largest requests seen; a burst beyond it waits for one
// synchronous top-up, by design: README, "Budgets".)
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { chat, eventually } from '../helpers/metering.ts';
import { useSharedInstances } from '../helpers/shared-instances.ts';
import { testConfig } from '../helpers/test-app.ts';

const config = () =>
  testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok', firstTokenLatencyMs: 5 } }],
    // Output at $1 per 1M tokens: a request allowing 1 token reserves 1 micro-USD and settles at 1.
    models: [{ name: 'metered', provider: 'sim', model: 'mock-small', pricing: { input: 0, output: 1 } }],
  });

async function spentOf(database: Database, scopeId: string): Promise<bigint> {
  const [row] = rowsOf<{ spent: string }>(await database.db.execute(sql`select coalesce(sum(spent_micro), 0)::text as spent from budget_spend where scope_id = ${scopeId}`));
  return BigInt(row!.spent);
}

async function leasesOf(database: Database, scopeId: string): Promise<number> {
  const [row] = rowsOf<{ leases: number }>(await database.db.execute(sql`select count(*)::int as leases from budget_leases where scope_id = ${scopeId}`));
  return row!.leases;
}

describe.runIf(process.env.TEST_DATABASE_URL)('a budgeted request in the steady state', () => {
  const shared = useSharedInstances(config, 1);

  it('is admitted and settled with the budget tables locked: no round trip to them on the request path', async () => {
    const app = shared.instances.apps[0]!;
    const { observer } = shared;
    const key = await app.createKey({ name: 'steady', limits: { maxBudget: '1', budgetPeriod: 'LIFETIME' } });
    // The first requests take the lease (a round trip, off the steady state).
    for (let index = 0; index < 5; index++) expect((await chat(app, key.secret, { model: 'metered', max: 1 })).__typename).toBe('ChatCompletion');
    await eventually(async () => (await leasesOf(observer, key.id)) === 1 && (await spentOf(observer, key.id)) === 5n);

    let servedWhileLocked: string[] = [];
    await observer.db.transaction(async (tx) => {
      await tx.execute(sql`lock table budget_spend, budget_leases in access exclusive mode`);
      // Answered while the lock is held, or not at all within 5 s (a request that waits on the
      // tables waits until the lock is released, after this deadline).
      const deadline = new Promise<string>((resolve) => setTimeout(() => resolve('waited on the database'), 5_000));
      servedWhileLocked = await Promise.all(
        Array.from({ length: 12 }, () => Promise.race([chat(app, key.secret, { model: 'metered', max: 1 }).then((result) => result.__typename as string), deadline])),
      );
    });
    expect(servedWhileLocked).toEqual(Array(12).fill('ChatCompletion'));
    // The background sync waited for the lock and then wrote the spend back: exact.
    await eventually(async () => (await spentOf(observer, key.id)) === 17n);
  }, 60_000);
});
