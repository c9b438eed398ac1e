// Budget spend in Postgres. A reservation is one conditional upsert per budget,
//   INSERT ... ON CONFLICT DO UPDATE SET reserved = reserved + cost WHERE spent + reserved + cost <= limit RETURNING,
// all in one transaction: the row lock and the re-check under it make concurrent reservations
// (on any number of instances) admit only what fits. Budgets are always locked in the same order,
// so two requests sharing budgets cannot deadlock.
import { and, eq, sql } from 'drizzle-orm';
import type { BudgetClaim, BudgetLedger, BudgetRefusal } from '../core/metering/budgets.ts';
import type { Db } from './client.ts';
import { budgetSpend } from './schema.ts';
import { rowsOf } from './usage-event-store.ts';

type SpendKey = Pick<BudgetClaim, 'scope' | 'scopeId' | 'periodStart'>;

const ordered = <T extends SpendKey>(claims: readonly T[]): T[] =>
  [...claims].sort((a, b) => a.scope.localeCompare(b.scope) || a.scopeId.localeCompare(b.scopeId) || a.periodStart.getTime() - b.periodStart.getTime());

const matches = (claim: SpendKey) =>
  and(eq(budgetSpend.scope, claim.scope), eq(budgetSpend.scopeId, claim.scopeId), eq(budgetSpend.periodStart, claim.periodStart));

class Refused extends Error {
  constructor(readonly refusal: BudgetRefusal) {
    super('budget refused');
  }
}

export function createBudgetLedger(db: Db): BudgetLedger {
  return {
    async reserve(claims, cost) {
      // A request whose price is unknown (0) still needs something left of the budget.
      const needed = cost > 0n ? cost : 1n;
      try {
        await db.transaction(async (tx) => {
          for (const claim of ordered(claims)) {
            const reserved = rowsOf(
              await tx.execute(sql`
                INSERT INTO budget_spend AS s (scope, scope_id, period_start, spent_micro, reserved_micro)
                SELECT ${claim.scope}, ${claim.scopeId}, ${claim.periodStart.toISOString()}::timestamptz, 0, ${cost.toString()}::bigint
                WHERE ${needed.toString()}::bigint <= ${claim.amountMicro.toString()}::bigint
                ON CONFLICT (scope, scope_id, period_start) DO UPDATE
                  SET reserved_micro = s.reserved_micro + excluded.reserved_micro, updated_at = now()
                  WHERE s.spent_micro + s.reserved_micro + ${needed.toString()}::bigint <= ${claim.amountMicro.toString()}::bigint
                RETURNING s.spent_micro`),
            );
            if (reserved.length === 0) {
              const [current] = await tx.select().from(budgetSpend).where(matches(claim));
              throw new Refused({ claim, spentMicro: current?.spentMicro ?? 0n, reservedMicro: current?.reservedMicro ?? 0n });
            }
          }
        });
        return null;
      } catch (error) {
        if (error instanceof Refused) return error.refusal;
        throw error;
      }
    },

    async settle(claims, reserved, actual) {
      const apply = (runner: Pick<Db, 'update'>, claim: SpendKey) =>
        runner
          .update(budgetSpend)
          .set({
            reservedMicro: sql`greatest(${budgetSpend.reservedMicro} - ${reserved.toString()}::bigint, 0)`,
            spentMicro: sql`${budgetSpend.spentMicro} + ${actual.toString()}::bigint`,
            updatedAt: sql`now()`,
          })
          .where(matches(claim));
      const sorted = ordered(claims);
      if (sorted.length === 1) {
        await apply(db, sorted[0]!);
        return;
      }
      await db.transaction(async (tx) => {
        for (const claim of sorted) await apply(tx, claim);
      });
    },

    async spend(claims) {
      if (claims.length === 0) return [];
      const rows = await Promise.all(claims.map((claim) => db.select().from(budgetSpend).where(matches(claim))));
      return rows.map(([row]) => ({ spentMicro: row?.spentMicro ?? 0n, reservedMicro: row?.reservedMicro ?? 0n }));
    },
  };
}
