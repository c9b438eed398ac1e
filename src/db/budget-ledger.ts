// Budget spend in Postgres, written by group commit (core/batching.ts): reservations that arrive
// while one transaction runs wait and go together into the next, so under concurrency many
// requests share one transaction instead of each paying for their own.
//
// A batch of reservations is one transaction: one upsert creates the budget_spend rows it touches
// that are missing and locks them all; the requests are then admitted in arrival order in JS
// (each across all its budgets or none), the admitted reservations added in one UPDATE, and the
// transaction commits. The decision is taken under the row locks, so it is exact across any
// number of instances sharing the database. Rows are always locked in the same order (ORDER BY
// the primary key, in SQL so that every instance sorts alike), so batches cannot deadlock. A batch
// of one request (low concurrency) takes the statements reserve always took, which cost less.
//
// Settlements are batched the same way (separately: a failing settle batch never holds up
// reservations) into one statement that adds up each row's reserved and actual amounts.
import { and, eq, sql } from 'drizzle-orm';
import { GroupCommit } from '../core/batching.ts';
import type { BudgetClaim, BudgetLedger, BudgetRefusal } from '../core/metering/budgets.ts';
import { arrayLiteral } from './array-literal.ts';
import type { Db } from './client.ts';
import { budgetSpend } from './schema.ts';
import { rowsOf } from './usage-event-store.ts';

type SpendKey = Pick<BudgetClaim, 'scope' | 'scopeId' | 'periodStart'>;

interface Reservation {
  claims: readonly BudgetClaim[];
  cost: bigint;
}

interface Settlement {
  claims: readonly SpendKey[];
  reserved: bigint;
  actual: bigint;
}

/** Requests per transaction: bounds how long one batch holds its row locks. */
const MAX_BATCH = 500;

/** The order claims of one request are checked in (the first that does not fit is the one reported). */
const ordered = <T extends SpendKey>(claims: readonly T[]): T[] =>
  [...claims].sort((a, b) => a.scope.localeCompare(b.scope) || a.scopeId.localeCompare(b.scopeId) || a.periodStart.getTime() - b.periodStart.getTime());

export const rowKey = (scope: string, scopeId: string, periodStartMs: number | string): string => `${scope}\u0000${scopeId}\u0000${periodStartMs}`;
export const keyOf = (claim: SpendKey): string => rowKey(claim.scope, claim.scopeId, claim.periodStart.getTime());

const matches = (claim: SpendKey) =>
  and(eq(budgetSpend.scope, claim.scope), eq(budgetSpend.scopeId, claim.scopeId), eq(budgetSpend.periodStart, claim.periodStart));

/** One array parameter of strings, whatever the batch size (array-literal.ts). */
export const textArray = (values: readonly string[]): string => arrayLiteral(values, (value) => value);

/** The three key columns as array parameters, for unnest(). */
export const keyArrays = (keys: readonly SpendKey[]) =>
  sql`${textArray(keys.map((key) => key.scope))}::text::text[], ${textArray(keys.map((key) => key.scopeId))}::text::text[], ${textArray(
    keys.map((key) => key.periodStart.toISOString()),
  )}::text::timestamptz[]`;

/** The distinct rows the claims touch. */
export function distinctKeys(claims: Iterable<SpendKey>): SpendKey[] {
  const keys = new Map<string, SpendKey>();
  for (const claim of claims) {
    const key = keyOf(claim);
    if (!keys.has(key)) keys.set(key, claim);
  }
  return [...keys.values()];
}

interface RowState {
  spent: bigint;
  reserved: bigint;
  /** Reserved by requests admitted in this batch. */
  added: bigint;
  touched: boolean;
}

/** Admits the batch's requests in arrival order against the locked rows; updates `rows` in place. */
function admit(batch: readonly Reservation[], rows: Map<string, RowState>): Array<BudgetRefusal | null> {
  return batch.map(({ claims, cost }) => {
    // A request whose price is unknown (0) still needs something left of the budget.
    const needed = cost > 0n ? cost : 1n;
    const mine = new Map<string, bigint>();
    for (const claim of ordered(claims)) {
      const key = keyOf(claim);
      const row = rows.get(key)!;
      const already = mine.get(key) ?? 0n;
      if (row.spent + row.reserved + already + needed > claim.amountMicro) {
        return { claim, spentMicro: row.spent, reservedMicro: row.reserved + already };
      }
      mine.set(key, already + cost);
    }
    for (const [key, amount] of mine) {
      const row = rows.get(key)!;
      row.reserved += amount;
      row.added += amount;
      row.touched = true;
    }
    return null;
  });
}

class Refused extends Error {
  constructor(readonly refusal: BudgetRefusal) {
    super('budget refused');
  }
}

/** One conditional upsert: takes the row lock and reserves only if the cost fits, checked under the lock. */
async function reserveOnRow(runner: Pick<Db, 'execute' | 'select'>, claim: BudgetClaim, cost: bigint): Promise<BudgetRefusal | null> {
  const needed = cost > 0n ? cost : 1n;
  const reserved = rowsOf(
    await runner.execute(sql`
      INSERT INTO budget_spend AS s (scope, scope_id, period_start, spent_micro, reserved_micro)
      SELECT ${claim.scope}, ${claim.scopeId}, ${claim.periodStart.toISOString()}::timestamptz, 0, ${cost.toString()}::bigint
      WHERE ${needed.toString()}::bigint <= ${claim.amountMicro.toString()}::bigint
      ON CONFLICT (scope, scope_id, period_start) DO UPDATE
        SET reserved_micro = s.reserved_micro + excluded.reserved_micro, updated_at = now()
        WHERE s.spent_micro + s.reserved_micro + ${needed.toString()}::bigint <= ${claim.amountMicro.toString()}::bigint
      RETURNING 1`),
  );
  if (reserved.length > 0) return null;
  const [current] = await runner.select().from(budgetSpend).where(matches(claim));
  return { claim, spentMicro: current?.spentMicro ?? 0n, reservedMicro: current?.reservedMicro ?? 0n };
}

/**
 * A batch of one request (low concurrency): what reserve always did, one conditional upsert per
 * budget, in a transaction when there are several. Its budgets have different scopes, and the
 * scopes' first letters differ, so locking them in scope order agrees with the primary-key order
 * batches lock in, whatever the database's collation.
 */
async function reserveAlone(db: Db, { claims, cost }: Reservation): Promise<BudgetRefusal | null> {
  if (claims.length === 1) return reserveOnRow(db, claims[0]!, cost);
  try {
    await db.transaction(async (tx) => {
      for (const claim of ordered(claims)) {
        const refusal = await reserveOnRow(tx, claim, cost);
        if (refusal) throw new Refused(refusal);
      }
    });
    return null;
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
}

async function reserveBatch(db: Db, batch: Reservation[]): Promise<Array<BudgetRefusal | null>> {
  const [first] = batch;
  const scopes = new Set(first!.claims.map((claim) => claim.scope));
  if (batch.length === 1 && scopes.size === first!.claims.length) return [await reserveAlone(db, first!)];
  const keys = distinctKeys(batch.flatMap((reservation) => reservation.claims));
  return db.transaction(async (tx) => {
    // Creates the missing rows and locks them all, in primary-key order, in one statement: the
    // no-op DO UPDATE takes the row lock (waiting for other transactions holding it) and
    // RETURNING gives the latest committed spend.
    const locked = rowsOf<{ scope: string; scope_id: string; period_ms: string; spent: string; reserved: string }>(
      await tx.execute(sql`
        INSERT INTO budget_spend AS s (scope, scope_id, period_start)
        SELECT scope, scope_id, period_start FROM unnest(${keyArrays(keys)}) AS k(scope, scope_id, period_start)
        ORDER BY scope, scope_id, period_start
        ON CONFLICT (scope, scope_id, period_start) DO UPDATE SET updated_at = s.updated_at
        RETURNING s.scope, s.scope_id, (extract(epoch from s.period_start) * 1000)::bigint::text AS period_ms,
          s.spent_micro::text AS spent, s.reserved_micro::text AS reserved`),
    );
    const rows = new Map<string, RowState>();
    for (const row of locked) {
      rows.set(rowKey(row.scope, row.scope_id, row.period_ms), { spent: BigInt(row.spent), reserved: BigInt(row.reserved), added: 0n, touched: false });
    }
    if (keys.some((key) => !rows.has(keyOf(key)))) throw new Error(`budget ledger: locked ${rows.size} of ${keys.length} budget_spend rows`);
    const results = admit(batch, rows);
    const changed = keys.filter((key) => rows.get(keyOf(key))!.touched);
    if (changed.length > 0) {
      const added = changed.map((key) => rows.get(keyOf(key))!.added.toString());
      await tx.execute(sql`
        UPDATE budget_spend s SET reserved_micro = s.reserved_micro + a.added, updated_at = now()
        FROM unnest(${keyArrays(changed)}, ${textArray(added)}::text::bigint[]) AS a(scope, scope_id, period_start, added)
        WHERE s.scope = a.scope AND s.scope_id = a.scope_id AND s.period_start = a.period_start`);
    }
    return results;
  });
}

async function settleBatch(db: Db, batch: Settlement[]): Promise<void[]> {
  const totals = new Map<string, { key: SpendKey; reserved: bigint; actual: bigint }>();
  for (const { claims, reserved, actual } of batch) {
    for (const claim of claims) {
      const key = keyOf(claim);
      const total = totals.get(key) ?? totals.set(key, { key: claim, reserved: 0n, actual: 0n }).get(key)!;
      total.reserved += reserved;
      total.actual += actual;
    }
  }
  const list = [...totals.values()];
  if (list.length === 1) {
    // One row: no lock order to keep, so the plain UPDATE (cheaper to plan than the one below).
    const [{ key, reserved, actual }] = list as [(typeof list)[number]];
    await db.execute(sql`
      UPDATE budget_spend
      SET reserved_micro = greatest(reserved_micro - ${reserved.toString()}::bigint, 0), spent_micro = spent_micro + ${actual.toString()}::bigint, updated_at = now()
      WHERE scope = ${key.scope} AND scope_id = ${key.scopeId} AND period_start = ${key.periodStart.toISOString()}::timestamptz`);
    return batch.map(() => undefined);
  }
  // One statement; `locked` takes the row locks in primary-key order first (as reservations do),
  // so that it cannot deadlock with a reservation batch or another instance's settle batch.
  // greatest(r - a - b, 0) equals applying greatest(r - x, 0) once per settlement.
  await db.execute(sql`
    WITH input AS (
      SELECT * FROM unnest(${keyArrays(list.map((total) => total.key))}, ${textArray(list.map((total) => total.reserved.toString()))}::text::bigint[],
        ${textArray(list.map((total) => total.actual.toString()))}::text::bigint[]) AS i(scope, scope_id, period_start, reserved, actual)
    ), locked AS MATERIALIZED (
      SELECT s.scope, s.scope_id, s.period_start FROM budget_spend s
      JOIN input i ON s.scope = i.scope AND s.scope_id = i.scope_id AND s.period_start = i.period_start
      ORDER BY s.scope, s.scope_id, s.period_start
      FOR UPDATE OF s
    )
    UPDATE budget_spend s
    SET reserved_micro = greatest(s.reserved_micro - i.reserved, 0), spent_micro = s.spent_micro + i.actual, updated_at = now()
    FROM input i JOIN locked l ON l.scope = i.scope AND l.scope_id = i.scope_id AND l.period_start = i.period_start
    WHERE s.scope = i.scope AND s.scope_id = i.scope_id AND s.period_start = i.period_start`);
  return batch.map(() => undefined);
}

export function createBudgetLedger(db: Db): BudgetLedger {
  const reservations = new GroupCommit<Reservation, BudgetRefusal | null>((batch) => reserveBatch(db, batch), { maxBatchSize: MAX_BATCH });
  const settlements = new GroupCommit<Settlement, void>((batch) => settleBatch(db, batch), { maxBatchSize: MAX_BATCH });
  return {
    reserve: (claims, cost) => (claims.length === 0 ? Promise.resolve(null) : reservations.submit({ claims, cost })),

    settle: (claims, reserved, actual) => (claims.length === 0 ? Promise.resolve() : settlements.submit({ claims, reserved, actual })),

    async spend(claims) {
      if (claims.length === 0) return [];
      const rows = await Promise.all(claims.map((claim) => db.select().from(budgetSpend).where(matches(claim))));
      return rows.map(([row]) => ({ spentMicro: row?.spentMicro ?? 0n, reservedMicro: row?.reservedMicro ?? 0n }));
    },
  };
}
