// Retention of raw usage events: rows older than the cutoff are deleted a few thousand at a time,
// each batch its own short statement, so no long lock is held and writers are never blocked for
// long. The daily rollups are kept. The same job drops budget_spend rows of periods that ended long
// ago (always, whether or not events are kept forever): nothing reads them, budgets only look at
// the current period, and with daily budgets they would otherwise grow by a row per budget per day.
import { sql } from 'drizzle-orm';
import type { Clock, Logger } from '../core/ports.ts';
import type { Db } from './client.ts';
import { deleteInBatches, startPeriodicSweep, type PeriodicSweep } from './periodic-sweep.ts';
import { rowsOf } from './usage-event-store.ts';

export function deleteUsageEventsBefore(db: Db, cutoff: Date, batchSize = 5000): Promise<number> {
  return deleteInBatches(
    db,
    batchSize,
    (limit) => sql`DELETE FROM usage_events WHERE id IN (
      SELECT id FROM usage_events WHERE created_at < ${cutoff.toISOString()}::timestamptz ORDER BY created_at LIMIT ${limit}
    )`,
  );
}

/** Budget periods last at most a month: a row whose period started this long ago is over. */
const STALE_BUDGET_PERIOD_MS = 62 * 86_400_000;

/**
 * Deletes the spend of budget periods that started before `cutoff` (LIFETIME budgets have one period
 * starting at the epoch and are kept). Returns how many rows went.
 */
export async function deleteStaleBudgetSpend(db: Db, cutoff: Date): Promise<number> {
  const [row] = rowsOf<{ deleted: number }>(
    await db.execute(sql`
      WITH leases AS (
        -- The leases of those periods go with them (leases are otherwise reclaimed only when their budget syncs).
        DELETE FROM budget_leases
        WHERE period_start > 'epoch'::timestamptz AND period_start < ${cutoff.toISOString()}::timestamptz
      ), doomed AS (
        DELETE FROM budget_spend
        WHERE period_start > 'epoch'::timestamptz AND period_start < ${cutoff.toISOString()}::timestamptz
        RETURNING 1
      )
      SELECT count(*)::int AS deleted FROM doomed`),
  );
  return Number(row?.deleted ?? 0);
}

export interface UsageRetentionOptions {
  db: Db;
  /** Raw usage events older than this are deleted; null keeps them. */
  retentionDays: number | null;
  clock: Clock;
  intervalMs?: number;
  logger?: Logger;
}

/** Runs the deletion every `intervalMs` (default hourly), the first time a minute after start. */
export function startUsageRetention(options: UsageRetentionOptions): PeriodicSweep {
  return startPeriodicSweep({
    intervalMs: options.intervalMs ?? 3_600_000,
    firstAfterMs: 60_000,
    sweep: async () => {
      const now = options.clock.now();
      const budgetRows = await deleteStaleBudgetSpend(options.db, new Date(now - STALE_BUDGET_PERIOD_MS));
      if (budgetRows > 0) options.logger?.info(`metering: deleted the spend of ${budgetRows} budget periods that ended more than a month ago`);
      if (options.retentionDays === null) return 0;
      const deleted = await deleteUsageEventsBefore(options.db, new Date(now - options.retentionDays * 86_400_000));
      if (deleted > 0) options.logger?.info(`metering: deleted ${deleted} usage events older than ${options.retentionDays} days`);
      return deleted;
    },
    failed: (error) => options.logger?.error({ err: error }, 'metering: usage retention failed'),
  });
}
