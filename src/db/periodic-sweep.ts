// A database sweep on a timer (usage retention, expired stored responses): the first run after
// `firstAfterMs`, then every `intervalMs`, never two at once (a run asked for while one is under way
// joins it), a failure logged by `failed` and counted as 0, and `stop` waits for a run under way.
// The rows go in short batches (`deleteInBatches`), each its own statement, so no long lock is held.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.ts';
import { rowsOf } from './usage-event-store.ts';

export interface PeriodicSweep {
  /** One sweep now (joins a sweep already running); resolves to the rows deleted. */
  run(): Promise<number>;
  stop(): Promise<void>;
}

export function startPeriodicSweep(options: { sweep: () => Promise<number>; intervalMs: number; firstAfterMs: number; failed: (error: unknown) => void }): PeriodicSweep {
  let running: Promise<number> | null = null;
  const run = () => {
    running ??= options
      .sweep()
      .catch((error: unknown) => {
        options.failed(error);
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void run(), options.firstAfterMs);
  const every = setInterval(() => void run(), options.intervalMs);
  first.unref();
  every.unref();
  return {
    run,
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}

/**
 * Runs `deleteBatch(limit)` (a DELETE of at most `limit` rows, without RETURNING) until a batch deletes
 * fewer than `batchSize`; resolves to the rows deleted in all.
 */
export async function deleteInBatches(db: Db, batchSize: number, deleteBatch: (limit: number) => SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = rowsOf<{ deleted: number }>(await db.execute(sql`WITH doomed AS (${deleteBatch(batchSize)} RETURNING 1) SELECT count(*)::int AS deleted FROM doomed`));
    const deleted = Number(row?.deleted ?? 0);
    total += deleted;
    if (deleted < batchSize) return total;
    // Let other work (the usage writer, queries) in between batches.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
