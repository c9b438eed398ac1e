// Part of the composition root (used only by app.ts): metering wired to its adapters. Usage goes
// to a batching writer over Postgres/PGlite, committed batches to the live feed (Redis pub/sub or
// in-process), rate limits to Redis (or memory) and budgets to leases held in memory and synced with Postgres; raw events expire after
// `metering.retentionDays`. stop() settles and writes out everything before the database closes.
import type { AppConfig } from '../config.ts';
import { BUDGET_CHANGES_TOPIC, BudgetService } from '../core/metering/budget-service.ts';
import { BUDGET_SHORTAGE_TOPIC } from '../core/metering/budget-shortage.ts';
import { LeasedBudgetLedger, type BudgetLeaseStats } from '../core/metering/budget-leases.ts';
import { MeteringAdmission } from '../core/metering/metering-admission.ts';
import { InMemoryRateLimiter, type RateLimiter } from '../core/metering/rate-limits.ts';
import type { MeteringStatus, UsageFeed } from '../core/metering/metering-ports.ts';
import type { UsageRepository } from '../core/metering/usage-report.ts';
import type { Clock, Logger } from '../core/ports.ts';
import { createAuditLogRepository } from '../db/audit-log-repository.ts';
import { createBudgetLeaseStore } from '../db/budget-lease-store.ts';
import { createBudgetRepository } from '../db/budget-repository.ts';
import type { Database } from '../db/client.ts';
import { isDatabaseUnreachable } from '../db/database-errors.ts';
import { createUsageDeadLetterStore } from '../db/usage-dead-letters.ts';
import { createUsageEventStore } from '../db/usage-event-store.ts';
import { createUsageRepository } from '../db/usage-repository.ts';
import { startUsageRetention } from '../db/usage-retention.ts';
import { UsageWriter } from '../db/usage-writer.ts';
import { createUsageFeed } from '../redis/usage-feed.ts';

export interface MeteringRuntimeOptions {
  config: AppConfig;
  database: Database;
  clock: Clock;
  newId(): string;
  logger: Logger;
}

export interface MeteringRuntime {
  admission: MeteringAdmission;
  writer: UsageWriter;
  usage: UsageRepository;
  feed: UsageFeed;
  budgets: BudgetService;
  status(): MeteringStatus;
  /** Budget leases held by this instance (metrics). */
  leases(): BudgetLeaseStats;
  /** Deletes expired raw events (when retentionDays is set) and stale budget periods now; also runs hourly. */
  runRetention(): Promise<number>;
  /** Settles reservations and writes out buffered usage; call after the servers stopped, before the database closes. */
  stop(): Promise<void>;
}

export async function createMeteringRuntime(options: MeteringRuntimeOptions): Promise<MeteringRuntime> {
  const { config, database, clock, logger } = options;
  const feed = await createUsageFeed(config.redisUrl);
  const writer = new UsageWriter({
    store: createUsageEventStore(database.db),
    deadLetters: createUsageDeadLetterStore(database.db),
    flushIntervalMs: config.metering.flushIntervalMs,
    bufferLimit: config.metering.bufferLimit,
    onCommitted: (records) => feed.publish(records),
    logger,
  });
  // Budgets are admitted in memory against leases taken in escrow from Postgres (budget-leases.ts).
  const ledger = new LeasedBudgetLedger({
    store: createBudgetLeaseStore(database.db),
    instanceId: options.newId(),
    ttlMs: config.metering.budgetLeaseTtlMs,
    changes: database.changes,
    logger,
  });
  const budgets = new BudgetService({ repository: createBudgetRepository(database.db), ledger, audit: createAuditLogRepository(database.db), changes: database.changes, clock, newId: options.newId });
  const unsubscribe = await database.changes.subscribe((topic, id) => {
    if (topic === BUDGET_CHANGES_TOPIC) budgets.invalidate();
    else if (topic === BUDGET_SHORTAGE_TOPIC) ledger.shortageSignalled(id);
  });
  // Redis modules are loaded only when Redis is configured.
  const rateLimiter: RateLimiter = config.redisUrl
    ? (await import('../redis/redis-rate-limiter.ts')).createRedisRateLimiter(config.redisUrl, { logger })
    : new InMemoryRateLimiter();
  const admission = new MeteringAdmission({
    rateLimiter,
    ledger,
    storedBudgets: (userId, endUser) => budgets.applicable(userId, endUser),
    clock,
    budgetsWhenDatabaseUnavailable: config.metering.budgetsWhenDatabaseUnavailable,
    isDatabaseUnreachable,
    logger,
  });
  const repository = createUsageRepository(database.db);
  // Hourly: stale budget periods always, raw events when a retention is configured.
  const retention = startUsageRetention({ db: database.db, retentionDays: config.metering.retentionDays ?? null, clock, logger });

  return {
    admission,
    writer,
    // A generation is found as soon as its request ends, before its batch is written.
    usage: { ...repository, findById: async (id) => writer.find(id) ?? repository.findById(id) },
    feed,
    budgets,
    status: () => writer.status(),
    leases: () => ledger.stats(),
    runRetention: () => retention.run(),
    async stop() {
      await retention.stop();
      await admission.drain();
      await ledger.stop();
      await writer.stop();
      await unsubscribe().catch(() => undefined);
      await feed.close();
      await rateLimiter.close?.();
    },
  };
}
