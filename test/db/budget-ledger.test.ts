// The budget ledger on PGlite and Postgres: reservations and settlements batched by group commit
// stay exact (never over-admitted, each request all-or-nothing across its budgets, in arrival
// order), also with two ledgers on two connection pools sharing one Postgres; a failing settle
// batch rejects its own items only and never holds up reservations; drain() waits for settles.
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { claimOf, type BudgetClaim, type BudgetLedger, type BudgetRefusal, type BudgetScope } from '../../src/core/metering/budgets.ts';
import { MeteringAdmission } from '../../src/core/metering/metering-admission.ts';
import { InMemoryRateLimiter } from '../../src/core/metering/rate-limits.ts';
import { createBudgetLedger } from '../../src/db/budget-ledger.ts';
import { openDatabase, type Database, type Db } from '../../src/db/client.ts';
import { isDatabaseUnreachable } from '../../src/db/database-errors.ts';
import { keyCaller } from '../helpers/callers.ts';
import { createSharedPostgres, databaseCases } from '../helpers/databases.ts';
import { ManualClock } from '../helpers/router-harness.ts';

const claim = (scope: BudgetScope, scopeId: string, amountMicro: bigint, period: BudgetClaim['period'] = 'LIFETIME'): BudgetClaim =>
  claimOf({ scope, scopeId, amountMicro, period }, `${scope.toLowerCase()} ${scopeId}`, Date.now());

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const dialect = new PgDialect();
/** The settle statement (reservations are an upsert or a transaction). */
const isSettle = (statement: string) => statement.includes('greatest(');

/** The db with its transactions and settle statements counted, and db.execute behind a hook that sees each statement. */
function instrumented(db: Db) {
  const counts = { transactions: 0, settles: 0 };
  const hooks: { beforeExecute: ((statement: string) => Promise<void>) | null } = { beforeExecute: null };
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === 'transaction') {
        return (...args: Parameters<Db['transaction']>) => (counts.transactions++, target.transaction(...args));
      }
      if (property === 'execute') {
        return async (...args: Parameters<Db['execute']>) => {
          const statement = dialect.sqlToQuery(args[0] as SQL).sql;
          if (isSettle(statement)) counts.settles++;
          await hooks.beforeExecute?.(statement);
          return target.execute(...args);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, counts, hooks };
}

const admittedCount = (results: Array<BudgetRefusal | null>) => results.filter((result) => result === null).length;

describe.each(databaseCases)('budget ledger ($name)', ({ open }) => {
  let database: Database;
  let ledger: BudgetLedger;
  beforeAll(async () => {
    database = await open();
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(async () => {
    await database.db.execute(sql`truncate budget_spend`);
    ledger = createBudgetLedger(database.db);
  });

  it('admits exactly the 10 of 200 concurrent reservations that fit, the first 10 to arrive, in one transaction', async () => {
    const { db, counts } = instrumented(database.db);
    const batched = createBudgetLedger(db);
    const key = claim('KEY', 'exact', 1000n);
    const team = claim('TEAM', 'roomy', 1_000_000n, 'MONTHLY');
    const results = await Promise.all(Array.from({ length: 200 }, () => batched.reserve([team, key], 100n)));
    expect(results.slice(0, 10)).toEqual(Array(10).fill(null));
    expect(admittedCount(results)).toBe(10);
    for (const refusal of results.slice(10)) {
      expect(refusal).toEqual({ claim: key, spentMicro: 0n, reservedMicro: 1000n });
    }
    expect(counts.transactions).toBe(1);
    expect(await ledger.spend([key, team])).toEqual([
      { spentMicro: 0n, reservedMicro: 1000n },
      { spentMicro: 0n, reservedMicro: 1000n },
    ]);
  });

  it('stays exact when the reservations arrive over many turns and so in several batches', async () => {
    const { db, counts } = instrumented(database.db);
    const batched = createBudgetLedger(db);
    const key = claim('KEY', 'waves', 1000n, 'DAILY');
    const pending: Array<Promise<BudgetRefusal | null>> = [];
    for (let i = 0; i < 200; i++) {
      pending.push(batched.reserve([key], 100n));
      if (i % 10 === 9) await nextTurn();
    }
    const results = await Promise.all(pending);
    expect(admittedCount(results)).toBe(10);
    expect(counts.transactions).toBeGreaterThan(1);
    expect(counts.transactions).toBeLessThan(200);
    expect(await ledger.spend([key])).toEqual([{ spentMicro: 0n, reservedMicro: 1000n }]);
  });

  it('reserves a request against all its budgets or none, and checks the requests of a batch in arrival order', async () => {
    const tight = claim('KEY', 'tight', 150n);
    const roomy = claim('TEAM', 'roomy', 10_000n);
    const results = await Promise.all([ledger.reserve([roomy, tight], 100n), ledger.reserve([roomy, tight], 100n), ledger.reserve([roomy], 100n)]);
    expect(results).toEqual([null, { claim: tight, spentMicro: 0n, reservedMicro: 100n }, null]);
    // The refused request reserved nothing on the team budget, though it fitted there.
    expect(await ledger.spend([tight, roomy])).toEqual([
      { spentMicro: 0n, reservedMicro: 100n },
      { spentMicro: 0n, reservedMicro: 200n },
    ]);
    // Alone in its batch, a refusal leaves no trace either.
    expect(await ledger.reserve([roomy, tight], 100n)).toEqual({ claim: tight, spentMicro: 0n, reservedMicro: 100n });
    expect(await ledger.spend([roomy])).toEqual([{ spentMicro: 0n, reservedMicro: 200n }]);
  });

  it('names the first budget (key before team) when several do not fit, and counts what earlier requests of the batch reserved', async () => {
    const key = claim('KEY', 'k', 50n);
    const team = claim('TEAM', 't', 50n);
    expect(await ledger.reserve([team, key], 100n)).toEqual({ claim: key, spentMicro: 0n, reservedMicro: 0n });
    const budget = claim('USER', 'u', 250n);
    // 100 fits; 200 would make 300; 100 and 50 fill it to exactly 250; an unpriced request (0) needs 1 more.
    const results = await Promise.all([100n, 200n, 100n, 50n, 0n].map((cost) => ledger.reserve([budget], cost)));
    expect(results).toEqual([
      null,
      { claim: budget, spentMicro: 0n, reservedMicro: 100n },
      null,
      null,
      { claim: budget, spentMicro: 0n, reservedMicro: 250n },
    ]);
  });

  it('admits an unpriced request (cost 0) while something is left, reserving nothing', async () => {
    const budget = claim('END_USER', 'someone "quoted", \\ and {braces}', 100n);
    expect(await ledger.reserve([budget], 99n)).toBeNull();
    expect(await ledger.reserve([budget], 0n)).toBeNull();
    expect(await ledger.reserve([budget], 2n)).toEqual({ claim: budget, spentMicro: 0n, reservedMicro: 99n });
    await ledger.settle([budget], 99n, 100n);
    expect(await ledger.reserve([budget], 0n)).toEqual({ claim: budget, spentMicro: 100n, reservedMicro: 0n });
  });

  it('settles many concurrent requests in a few statements, summing per budget', async () => {
    const { db, counts } = instrumented(database.db);
    const batched = createBudgetLedger(db);
    const key = claim('KEY', 'settle', 1_000_000n, 'WEEKLY');
    const team = claim('TEAM', 'settle', 1_000_000n);
    const reserved = await Promise.all(Array.from({ length: 100 }, () => batched.reserve([key, team], 1000n)));
    expect(admittedCount(reserved)).toBe(100);
    const pending: Array<Promise<void>> = [];
    for (let i = 1; i <= 100; i++) {
      pending.push(batched.settle([key, team], 1000n, BigInt(i)));
      if (i % 20 === 0) await nextTurn();
    }
    await Promise.all(pending);
    expect(counts.settles).toBeLessThan(100);
    expect(await ledger.spend([key, team])).toEqual([
      { spentMicro: 5050n, reservedMicro: 0n },
      { spentMicro: 5050n, reservedMicro: 0n },
    ]);
    // A reservation never goes below zero, however much is released.
    await ledger.settle([key], 5000n, 1n);
    expect(await ledger.spend([key])).toEqual([{ spentMicro: 5051n, reservedMicro: 0n }]);
  });

  it('rejects the items of a failing settle batch, which holds up no reservation; the next batch settles', async () => {
    const { db, hooks } = instrumented(database.db);
    const batched = createBudgetLedger(db);
    const key = claim('KEY', 'failing', 10_000n);
    expect(admittedCount(await Promise.all([1, 2, 3].map(() => batched.reserve([key], 100n))))).toBe(3);

    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    hooks.beforeExecute = async (statement) => {
      if (!isSettle(statement)) return;
      await stuck;
      throw new Error('connection terminated');
    };
    const failing = [1, 2, 3].map(() => batched.settle([key], 100n, 50n).then(() => 'settled', (error: Error) => error.message));
    await nextTurn();
    // While the settle batch hangs, reservations go through (alone and in a transaction).
    expect(await batched.reserve([key], 100n)).toBeNull();
    expect(await Promise.all([batched.reserve([key], 100n), batched.reserve([key, claim('TEAM', 'failing', 10_000n)], 100n)])).toEqual([null, null]);
    const queued = batched.settle([key], 100n, 50n);
    release();
    expect(await Promise.all(failing)).toEqual(['connection terminated', 'connection terminated', 'connection terminated']);
    await expect(queued).rejects.toThrow('connection terminated');

    hooks.beforeExecute = null;
    await Promise.all([1, 2].map(() => batched.settle([key], 100n, 50n)));
    expect(await ledger.spend([key])).toEqual([{ spentMicro: 100n, reservedMicro: 400n }]);
  });

  it('keeps two ledgers over the same database exact, with budgets claimed in opposite orders', async () => {
    const other = createBudgetLedger(database.db);
    const key = claim('KEY', 'two', 1000n);
    const team = claim('TEAM', 'two', 1_000_000n);
    const user = claim('USER', 'two', 1_000_000n);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? ledger.reserve([key, team, user], 100n) : other.reserve([user, team, key], 100n))),
    );
    expect(admittedCount(results)).toBe(10);
    expect(await ledger.spend([key, team, user])).toEqual(Array(3).fill({ spentMicro: 0n, reservedMicro: 1000n }));
  });

  it('settles everything admitted before drain() resolves', async () => {
    const caller = keyCaller('drained', 'drained', { maxBudgetMicro: 1_000_000n });
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: new InMemoryRateLimiter(), ledger, storedBudgets: async () => [], clock: new ManualClock() });
    const tickets = await Promise.all(Array.from({ length: 50 }, () => admission.admit({ caller, endUser: null, model: 'm', maxTokens: 10, maxCost: 1000n })));
    await Promise.all(tickets.map((ticket) => ticket.settle({ cost: 10n, tokens: 1 })));
    await admission.drain();
    expect(await ledger.spend([claim('KEY', 'drained', 1_000_000n)])).toEqual([{ spentMicro: 500n, reservedMicro: 0n }]);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('budget ledgers on two connection pools sharing one Postgres', () => {
  let shared: Awaited<ReturnType<typeof createSharedPostgres>>;
  const databases: Database[] = [];
  let ledgers: BudgetLedger[];
  beforeAll(async () => {
    shared = await createSharedPostgres();
    for (let i = 0; i < 2; i++) databases.push(await openDatabase({ url: shared!.url, dataDir: '' }));
    await databases[0]!.migrate();
    ledgers = databases.map((database) => createBudgetLedger(database.db));
  });
  afterAll(async () => {
    for (const database of databases) await database.close();
    await shared?.drop();
  });

  it('admits exactly the 10 of 200 concurrent reservations (100 per ledger) that fit, round after round', async () => {
    // The rows exist already and both pools are connected, so that nothing but the row locks
    // orders the two ledgers' batches; the requests come in waves, so that batches overlap.
    for (let round = 0; round < 5; round++) {
      const key = claim('KEY', `shared-${round}`, 1000n);
      const team = claim('TEAM', `shared-${round}`, 1_000_000n);
      expect(await Promise.all(ledgers.map((ledger) => ledger.reserve([key, team], 0n)))).toEqual([null, null]);
      const pending: Array<Promise<BudgetRefusal | null>> = [];
      // One ledger in batches of two budgets each; the other mostly alone, one budget per request.
      for (let i = 0; i < 200; i++) {
        pending.push(i % 2 === 0 ? ledgers[0]!.reserve([key, team], 100n) : ledgers[1]!.reserve(round % 2 === 0 ? [key] : [team, key], 100n));
        if (i % 4 === 3) await nextTurn();
      }
      expect(admittedCount(await Promise.all(pending))).toBe(10);
      expect((await ledgers[1]!.spend([key]))[0]).toEqual({ spentMicro: 0n, reservedMicro: 1000n });
    }
  });

  it('neither deadlocks nor loses an amount while both reserve and settle overlapping budgets in opposite orders', async () => {
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
    expect(await ledgers[0]!.spend(budgets)).toEqual(Array(4).fill({ spentMicro: 1200n, reservedMicro: 0n }));
  });
});
