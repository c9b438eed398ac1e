// The lease ledger (core/metering/budget-leases.ts) over its Postgres/PGlite store, without HTTP:
// the guarantees the row-locking ledger it replaced was held to. Exactly the reservations that fit
// are admitted under 200-way concurrency, the first to arrive; a request is reserved against all its
// budgets or none; an unpriced request (cost 0) still needs something left; settlements sum per
// budget; drain() settles everything admitted; two ledgers on two pools sharing one Postgres, with
// budgets claimed in opposite orders, stay exact and neither deadlock nor lose an amount.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_SHORTAGE_TOPIC } from '../../src/core/metering/budget-shortage.ts';
import { LeasedBudgetLedger } from '../../src/core/metering/budget-leases.ts';
import { claimOf, type BudgetClaim, type BudgetRefusal, type BudgetScope } from '../../src/core/metering/budgets.ts';
import { MeteringAdmission } from '../../src/core/metering/metering-admission.ts';
import { InMemoryRateLimiter } from '../../src/core/metering/rate-limits.ts';
import { createBudgetLeaseStore } from '../../src/db/budget-lease-store.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { isDatabaseUnreachable } from '../../src/db/database-errors.ts';
import { keyCaller } from '../helpers/callers.ts';
import { createSharedPostgres, databaseCases } from '../helpers/databases.ts';
import { ManualClock } from '../helpers/router-harness.ts';

const claim = (scope: BudgetScope, scopeId: string, amountMicro: bigint, period: BudgetClaim['period'] = 'LIFETIME'): BudgetClaim =>
  claimOf({ scope, scopeId: `${scopeId}-${randomUUID()}`, amountMicro, period }, `${scope.toLowerCase()} ${scopeId}`, Date.now());

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const admittedCount = (results: Array<BudgetRefusal | null>) => results.filter((result) => result === null).length;
/** A ledger on the database, told of other ledgers' shortages through its ChangeFeed as the app's runtime does. */
async function ledgerOn(database: Database): Promise<LeasedBudgetLedger> {
  const ledger = new LeasedBudgetLedger({ store: createBudgetLeaseStore(database.db), instanceId: randomUUID(), ttlMs: 30_000, changes: database.changes });
  await database.changes.subscribe((topic, id) => topic === BUDGET_SHORTAGE_TOPIC && ledger.shortageSignalled(id));
  return ledger;
}
/** Spend and reservations as the database holds them once the ledgers wrote back (leases aside). */
const settledSpend = async (ledger: LeasedBudgetLedger, claims: BudgetClaim[]) => (await ledger.spend(claims)).map(({ spentMicro, reservedMicro }) => ({ spentMicro, reservedMicro }));

describe.each(databaseCases)('budget leases over the database ($name)', ({ open }) => {
  let database: Database;
  const ledgers: LeasedBudgetLedger[] = [];
  const newLedger = async () => (ledgers.push(await ledgerOn(database)), ledgers.at(-1)!);
  beforeAll(async () => {
    database = await open();
    await database.migrate();
  });
  afterAll(async () => {
    for (const ledger of ledgers) await ledger.stop();
    await database?.close();
  });

  it('admits exactly the 10 of 200 concurrent reservations that fit, the first 10 to arrive, naming the budget that refused', async () => {
    const ledger = await newLedger();
    const key = claim('KEY', 'exact', 1000n);
    const team = claim('TEAM', 'roomy', 1_000_000n, 'MONTHLY');
    const results = await Promise.all(Array.from({ length: 200 }, () => ledger.reserve([team, key], 100n)));
    expect(results.slice(0, 10)).toEqual(Array(10).fill(null));
    expect(admittedCount(results)).toBe(10);
    for (const refusal of results.slice(10)) expect(refusal?.claim).toBe(key);
    const [keySpend, teamSpend] = await ledger.spend([key, team]);
    expect(keySpend).toMatchObject({ spentMicro: 0n, reservedMicro: expect.any(BigInt) });
    expect(keySpend!.leasedMicro).toBe(1000n);
    expect(teamSpend!.leasedMicro).toBeGreaterThanOrEqual(1000n);
  });

  it('reserves a request against all its budgets or none, in arrival order; an unpriced request needs something left', async () => {
    const ledger = await newLedger();
    const tight = claim('KEY', 'tight', 150n);
    const roomy = claim('TEAM', 'roomy', 10_000n);
    const results = await Promise.all([ledger.reserve([roomy, tight], 100n), ledger.reserve([roomy, tight], 100n), ledger.reserve([roomy], 100n)]);
    expect(results.map((result) => result?.claim ?? null)).toEqual([null, tight, null]);
    // The refused request holds nothing: settling the two admitted leaves 200 spent on the team, 100 on the key.
    await ledger.settle([roomy, tight], 100n, 100n);
    await ledger.settle([roomy], 100n, 100n);
    await ledger.stop();
    expect(await settledSpend(ledger, [tight, roomy])).toEqual([
      { spentMicro: 100n, reservedMicro: 0n },
      { spentMicro: 200n, reservedMicro: 0n },
    ]);
    const unpriced = await newLedger();
    const budget = claim('END_USER', 'someone "quoted", \\ and {braces}', 100n);
    expect(await unpriced.reserve([budget], 99n)).toBeNull();
    // (The background top-up may take the last 1 into the lease meanwhile: the demand asks for what the room lacks then.)
    expect(await unpriced.reserve([budget], 0n)).toBeNull();
    expect((await unpriced.reserve([budget], 2n))?.claim).toBe(budget);
    await unpriced.settle([budget], 99n, 100n);
    expect((await unpriced.reserve([budget], 0n))?.claim).toBe(budget);
  });

  it('settles many concurrent requests, summing per budget; drain() settles everything admitted', async () => {
    const ledger = await newLedger();
    const caller = keyCaller(randomUUID(), 'drained', { maxBudgetMicro: 1_000_000n });
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: new InMemoryRateLimiter(), ledger, storedBudgets: async () => [], clock: new ManualClock() });
    const tickets = await Promise.all(Array.from({ length: 100 }, () => admission.admit({ caller, endUser: null, model: 'm', maxTokens: 10, maxCost: 1000n })));
    await Promise.all(tickets.map((ticket, index) => ticket.settle({ cost: BigInt(index + 1), tokens: 1 })));
    await admission.drain();
    await ledger.stop();
    const key = claimOf({ scope: 'KEY', scopeId: caller.keyId, amountMicro: 1_000_000n, period: 'LIFETIME' }, 'key', Date.now());
    expect(await ledger.spend([key])).toEqual([{ spentMicro: 5050n, reservedMicro: 0n, leasedMicro: 0n }]);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('budget leases of two ledgers on two connection pools sharing one Postgres', () => {
  let shared: Awaited<ReturnType<typeof createSharedPostgres>>;
  const databases: Database[] = [];
  let ledgers: LeasedBudgetLedger[];
  beforeAll(async () => {
    shared = await createSharedPostgres();
    for (let i = 0; i < 2; i++) databases.push(await openDatabase({ url: shared!.url, dataDir: '' }));
    await databases[0]!.migrate();
    ledgers = await Promise.all(databases.map(ledgerOn));
  });
  afterAll(async () => {
    for (const ledger of ledgers ?? []) await ledger.stop();
    for (const database of databases) await database.close();
    await shared?.drop();
  });

  it('admit exactly the 10 of 200 concurrent reservations (100 per ledger) that fit, budgets claimed in opposite orders', async () => {
    for (let round = 0; round < 3; round++) {
      const key = claim('KEY', `shared-${round}`, 1000n);
      const team = claim('TEAM', `shared-${round}`, 1_000_000n);
      const user = claim('USER', `shared-${round}`, 1_000_000n);
      const pending: Array<Promise<BudgetRefusal | null>> = [];
      for (let i = 0; i < 200; i++) {
        pending.push(i % 2 === 0 ? ledgers[0]!.reserve([key, team, user], 100n) : ledgers[1]!.reserve([user, team, key], 100n));
        if (i % 4 === 3) await nextTurn();
      }
      expect(admittedCount(await Promise.all(pending))).toBe(10);
    }
  });

  it('neither deadlock nor lose an amount while both reserve and settle overlapping budgets in opposite orders', async () => {
    const budgets = ['a', 'b', 'c', 'd'].map((id) => claim('USER', `mixed-${id}`, 1_000_000_000n));
    const reversed = [...budgets].reverse();
    const work: Array<Promise<unknown>> = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20; i++) {
        const [ledger, claims] = i % 2 === 0 ? [ledgers[0]!, budgets] : [ledgers[1]!, reversed];
        work.push(ledger.reserve(claims, 10n).then((refusal) => (expect(refusal).toBeNull(), ledger.settle(claims, 10n, 3n))));
      }
      await nextTurn();
    }
    await Promise.all(work);
    for (const ledger of ledgers) await ledger.stop();
    expect(await settledSpend(ledgers[0]!, budgets)).toEqual(Array(4).fill({ spentMicro: 1200n, reservedMicro: 0n }));
  });
});
