// Deletes stored Responses API responses past their expiry (`responses.ttlSeconds`). Expired rows
// are already invisible to every read (response-repository.ts filters on expires_at); this only
// gives their storage back. Like usage retention: short batches, each its own statement, run on
// an interval by the composition root and stopped before the database closes.
import { sql } from 'drizzle-orm';
import type { Clock, Logger } from '../core/ports.ts';
import type { Db } from './client.ts';
import { deleteInBatches, startPeriodicSweep, type PeriodicSweep } from './periodic-sweep.ts';

export function deleteExpiredResponses(db: Db, now: Date, batchSize = 1000): Promise<number> {
  // stored_responses_expires_at_idx serves the inner select; rows kept forever (null) never match.
  return deleteInBatches(
    db,
    batchSize,
    (limit) => sql`DELETE FROM stored_responses WHERE id IN (
      SELECT id FROM stored_responses WHERE expires_at <= ${now.toISOString()}::timestamptz ORDER BY expires_at LIMIT ${limit}
    )`,
  );
}

export interface ResponseExpiryOptions {
  db: Db;
  clock: Clock;
  /** Default hourly; the first run is one interval (at most a minute) after start. */
  intervalMs?: number;
  batchSize?: number;
  logger?: Logger;
}

/** One sweep now (`run`) and `stop`, as every periodic sweep. */
export type ResponseExpiry = PeriodicSweep;

export function startResponseExpiry(options: ResponseExpiryOptions): ResponseExpiry {
  const intervalMs = options.intervalMs ?? 3_600_000;
  return startPeriodicSweep({
    intervalMs,
    firstAfterMs: Math.min(intervalMs, 60_000),
    sweep: async () => {
      const deleted = await deleteExpiredResponses(options.db, new Date(options.clock.now()), options.batchSize);
      if (deleted > 0) options.logger?.info(`responses: deleted ${deleted} expired stored responses`);
      return deleted;
    },
    failed: (error) => options.logger?.error({ err: error }, 'responses: deleting expired stored responses failed'),
  });
}
