// The `metering` section of the config.
import { z } from 'zod';
import { BUDGETS_WHEN_DATABASE_UNAVAILABLE } from '../core/metering/metering-admission.ts';

/** Usage metering: batching of usage writes, the outage buffer, retention of raw events and budgets in an outage. */
export const METERING_DEFAULTS = { flushIntervalMs: 250, bufferLimit: 100_000, budgetsWhenDatabaseUnavailable: 'serve' as const, budgetLeaseTtlMs: 30_000 };
export const meteringSchema = z
  .object({
    /** The longest a usage record waits before it is written. */
    flushIntervalMs: z.number().int().positive().default(250),
    /** Usage records kept in memory while the database cannot be written. */
    bufferLimit: z.number().int().positive().default(100_000),
    /** Raw usage events older than this are deleted (daily rollups are kept); absent = kept forever. */
    retentionDays: z.number().int().positive().optional(),
    /** A request with a budget when the database cannot be reached: served unreserved, or refused (503). */
    budgetsWhenDatabaseUnavailable: z
      .enum(BUDGETS_WHEN_DATABASE_UNAVAILABLE, {
        error: (issue) => `expected ${BUDGETS_WHEN_DATABASE_UNAVAILABLE.map((value) => `"${value}"`).join(' or ')}, got ${JSON.stringify(issue.input)}`,
      })
      .default('serve'),
    /**
     * How long a budget lease of an instance that stopped renewing it (crashed, or cut from the
     * database) keeps its amount out of other instances' reach; see README, "Budgets".
     */
    budgetLeaseTtlMs: z.number().int().min(200).max(600_000).default(30_000),
  })
  .strict();
