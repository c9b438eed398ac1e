// Budget leases in Postgres (the port of core/metering/budget-lease-store.ts). One sync is one
// transaction over the budgets it touches: it locks their budget_spend rows in primary-key order
// (as every lease change does, so syncs of several instances cannot deadlock), deletes the leases
// that expired and returns their amount, reads the live ones, decides each budget with
// applyLeaseSync under the lock, and writes the instance's leases and the budgets' spend and leased
// totals. Every change to budget_leases happens under its budget's row lock, so `leased_micro`
// always equals the sum of the budget's lease rows and the check spend + leased <= limit is exact.
import { sql } from 'drizzle-orm';
import { applyLeaseSync, type BudgetLeaseStore, type LockedBudget, type LeaseSyncItem, type LeaseSyncResult, type SpendKey } from '../core/metering/budget-lease-store.ts';
import type { BudgetSpend } from '../core/metering/budgets.ts';
import { arrayLiteral } from './array-literal.ts';
import type { Db } from './client.ts';
import { rowsOf } from './usage-event-store.ts';

type KeyRow = { scope: string; scope_id: string; period_ms: string };

const rowKey = (scope: string, scopeId: string, periodStartMs: number | string): string => `${scope}\u0000${scopeId}\u0000${periodStartMs}`;
const keyOf = (key: SpendKey): string => rowKey(key.scope, key.scopeId, key.periodStart.getTime());
/** One array parameter of strings, whatever the batch size (array-literal.ts). */
const textArray = (values: readonly string[]): string => arrayLiteral(values, (value) => value);
/** The three key columns as array parameters, for unnest(). */
const keyArrays = (keys: readonly SpendKey[]) =>
  sql`${textArray(keys.map((key) => key.scope))}::text::text[], ${textArray(keys.map((key) => key.scopeId))}::text::text[], ${textArray(
    keys.map((key) => key.periodStart.toISOString()),
  )}::text::timestamptz[]`;

const PERIOD_MS = sql`(extract(epoch from l.period_start) * 1000)::bigint::text AS period_ms`;
const keyOfRow = (row: KeyRow) => rowKey(row.scope, row.scope_id, row.period_ms);
const bigints = (values: readonly bigint[]) => sql`${textArray(values.map((value) => value.toString()))}::text::bigint[]`;

async function sync(db: Db, instanceId: string, ttlMs: number, items: readonly LeaseSyncItem[]): Promise<LeaseSyncResult[]> {
  const keys = items.map((item) => item.key);
  return db.transaction(async (tx) => {
    const locked = rowsOf<KeyRow & { spent: string; leased: string }>(
      await tx.execute(sql`
        INSERT INTO budget_spend AS s (scope, scope_id, period_start)
        SELECT scope, scope_id, period_start FROM unnest(${keyArrays(keys)}) AS k(scope, scope_id, period_start)
        ORDER BY scope, scope_id, period_start
        ON CONFLICT (scope, scope_id, period_start) DO UPDATE SET updated_at = s.updated_at
        RETURNING s.scope, s.scope_id, (extract(epoch from s.period_start) * 1000)::bigint::text AS period_ms,
          s.spent_micro::text AS spent, s.leased_micro::text AS leased`),
    );
    const expired = rowsOf<KeyRow & { amount: string }>(
      await tx.execute(sql`
        DELETE FROM budget_leases l USING unnest(${keyArrays(keys)}) AS k(scope, scope_id, period_start)
        WHERE l.scope = k.scope AND l.scope_id = k.scope_id AND l.period_start = k.period_start AND l.expires_at <= now()
        RETURNING l.scope, l.scope_id, (extract(epoch from l.period_start) * 1000)::bigint::text AS period_ms, l.amount_micro::text AS amount`),
    );
    const live = rowsOf<KeyRow & { instance_id: string; amount: string; reserved: string }>(
      await tx.execute(sql`
        SELECT l.scope, l.scope_id, ${PERIOD_MS}, l.instance_id, l.amount_micro::text AS amount, l.reserved_micro::text AS reserved
        FROM budget_leases l JOIN unnest(${keyArrays(keys)}) AS k(scope, scope_id, period_start)
          ON l.scope = k.scope AND l.scope_id = k.scope_id AND l.period_start = k.period_start`),
    );
    const budgets = new Map<string, LockedBudget>();
    for (const row of locked) budgets.set(keyOfRow(row), { spent: BigInt(row.spent), leased: BigInt(row.leased), own: 0n, otherInstances: 0, reservedByOthers: 0n });
    if (budgets.size !== keys.length) throw new Error(`budget leases: locked ${budgets.size} of ${keys.length} budget_spend rows`);
    for (const row of expired) budgets.get(keyOfRow(row))!.leased -= BigInt(row.amount);
    for (const row of live) {
      const budget = budgets.get(keyOfRow(row))!;
      if (row.instance_id === instanceId) budget.own = BigInt(row.amount);
      else {
        budget.otherInstances++;
        budget.reservedByOthers += BigInt(row.reserved);
      }
    }
    const decisions = items.map((item) => applyLeaseSync(item, budgets.get(keyOf(item.key))!));
    const kept = items.flatMap((item, index) => (decisions[index]!.lease > 0n || item.reserved > 0n ? [index] : []));
    const dropped = items.flatMap((item, index) => (decisions[index]!.lease > 0n || item.reserved > 0n ? [] : [index]));
    if (kept.length > 0) {
      await tx.execute(sql`
        INSERT INTO budget_leases AS l (scope, scope_id, period_start, instance_id, amount_micro, reserved_micro, expires_at)
        SELECT scope, scope_id, period_start, ${instanceId}, amount, reserved, now() + ${ttlMs}::int * interval '1 millisecond'
        FROM unnest(${keyArrays(kept.map((index) => keys[index]!))}, ${bigints(kept.map((index) => decisions[index]!.lease))},
          ${bigints(kept.map((index) => items[index]!.reserved))}) AS k(scope, scope_id, period_start, amount, reserved)
        ON CONFLICT (scope, scope_id, period_start, instance_id) DO UPDATE
          SET amount_micro = excluded.amount_micro, reserved_micro = excluded.reserved_micro, expires_at = excluded.expires_at`);
    }
    if (dropped.length > 0) {
      await tx.execute(sql`
        DELETE FROM budget_leases l USING unnest(${keyArrays(dropped.map((index) => keys[index]!))}) AS k(scope, scope_id, period_start)
        WHERE l.scope = k.scope AND l.scope_id = k.scope_id AND l.period_start = k.period_start AND l.instance_id = ${instanceId}`);
    }
    await tx.execute(sql`
      UPDATE budget_spend s SET spent_micro = a.spent, leased_micro = a.leased, updated_at = now()
      FROM unnest(${keyArrays(keys)}, ${bigints(decisions.map((decision) => decision.spent))}, ${bigints(decisions.map((decision) => decision.leasedAfter))})
        AS a(scope, scope_id, period_start, spent, leased)
      WHERE s.scope = a.scope AND s.scope_id = a.scope_id AND s.period_start = a.period_start`);
    return decisions.map(({ lease, grants, spent, leasedByOthers, slice }) => ({ lease, grants, spent, leasedByOthers, slice }));
  });
}

async function spend(db: Db, keys: readonly SpendKey[]): Promise<BudgetSpend[]> {
  if (keys.length === 0) return [];
  const rows = rowsOf<{ spent: string; reserved: string; leased: string }>(
    await db.execute(sql`
      SELECT coalesce(s.spent_micro, 0)::text AS spent, (coalesce(s.reserved_micro, 0) + coalesce(l.reserved, 0))::text AS reserved, coalesce(l.leased, 0)::text AS leased
      FROM unnest(${keyArrays(keys)}) WITH ORDINALITY AS k(scope, scope_id, period_start, position)
      LEFT JOIN budget_spend s ON s.scope = k.scope AND s.scope_id = k.scope_id AND s.period_start = k.period_start
      LEFT JOIN LATERAL (
        SELECT sum(amount_micro) AS leased, sum(reserved_micro) AS reserved FROM budget_leases b
        WHERE b.scope = k.scope AND b.scope_id = k.scope_id AND b.period_start = k.period_start AND b.expires_at > now()
      ) l ON true
      ORDER BY k.position`),
  );
  return rows.map((row) => ({ spentMicro: BigInt(row.spent), reservedMicro: BigInt(row.reserved), leasedMicro: BigInt(row.leased) }));
}

export function createBudgetLeaseStore(db: Db): BudgetLeaseStore {
  return {
    sync: (instanceId, ttlMs, items) => sync(db, instanceId, ttlMs, items),
    spend: (keys) => spend(db, keys),
  };
}
