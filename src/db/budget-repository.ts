import { and, eq, or, sql } from 'drizzle-orm';
import type { BudgetRepository, StoredBudget } from '../core/metering/budgets.ts';
import type { Db } from './client.ts';
import { budgets } from './schema.ts';

const toBudget = (row: typeof budgets.$inferSelect): StoredBudget => ({ ...row });

export function createBudgetRepository(db: Db): BudgetRepository {
  return {
    async find(targets) {
      if (targets.length === 0) return [];
      const rows = await db
        .select()
        .from(budgets)
        .where(or(...targets.map((target) => and(eq(budgets.scope, target.scope), eq(budgets.scopeId, target.scopeId)))));
      return rows.map(toBudget);
    },
    async list(scope) {
      const rows = await db
        .select()
        .from(budgets)
        .where(scope ? eq(budgets.scope, scope) : undefined)
        .orderBy(budgets.scope, budgets.scopeId);
      return rows.map(toBudget);
    },
    async upsert(budget) {
      const [row] = await db
        .insert(budgets)
        .values(budget)
        .onConflictDoUpdate({
          target: [budgets.scope, budgets.scopeId],
          set: { amountMicro: budget.amountMicro, period: budget.period, updatedAt: sql`now()` },
        })
        .returning();
      return toBudget(row!);
    },
    async delete(scope, scopeId) {
      const [row] = await db
        .delete(budgets)
        .where(and(eq(budgets.scope, scope), eq(budgets.scopeId, scopeId)))
        .returning();
      return row ? toBudget(row) : null;
    },
  };
}
