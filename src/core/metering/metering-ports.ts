// Ports between the request path and metering: admission (budgets and rate limits, checked and
// reserved before any upstream call), the usage sink (one record per request, written off the
// request path) and the live usage feed. The stores behind metering keep their ports beside the
// data they hold: BudgetLedger/BudgetRepository (budgets.ts), BudgetLeaseStore (budget-lease-store.ts),
// RateLimiter (rate-limits.ts), UsageRepository (usage-report.ts); core/ports.ts lists them all.
import type { Caller } from '../auth.ts';
import type { ErrorCode, GatewayError } from '../errors.ts';
import type { RateLimitStatus } from './rate-limit-status.ts';
import type { Attempt } from '../requests/attempt.ts';
import type { GenAiOperation } from '../telemetry/attempt-telemetry.ts';
import type { Usage } from '../types.ts';

export type UsageStatus = 'SUCCESS' | 'ERROR' | 'CANCELLED';

export interface UsageRecord {
  /** The generation id (time-ordered). */
  id: string;
  createdAt: Date;
  keyId: string | null;
  teamId: string | null;
  userId: string | null;
  endUser: string | null;
  requestedModel: string;
  /** The public model name that served, and the deployment behind it (null when nothing was reached). */
  model: string | null;
  deploymentId: string | null;
  providerId: string | null;
  upstreamModel: string | null;
  usage: Usage;
  /** Micro-USD. */
  cost: bigint;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  status: UsageStatus;
  errorCode: ErrorCode | null;
  attempts: Attempt[];
  streamed: boolean;
  /** What the request did (live records; not stored). */
  operation?: GenAiOperation;
  cancelledByClient: boolean;
  requestId: string | null;
  /** Answered from the response cache, without an upstream call. */
  cacheHit: boolean;
}

/** Told each usage record of one request with the error that ended it (null on success): the edge's access log. */
export type UsageObserver = (record: UsageRecord, error: GatewayError | null) => void;

export interface UsageSink {
  /** Must not block the request: implementations buffer and write in batches. */
  record(record: UsageRecord): void;
}

export interface AdmissionRequest {
  caller: Caller | undefined;
  endUser: string | null;
  model: string;
  /** Counted prompt tokens plus the output allowance. */
  maxTokens: number;
  /** The most the request can cost (micro-USD), at the dearest candidate deployment's price. */
  maxCost: bigint;
}

export interface AdmissionTicket {
  /** The rate limits the request was counted against, as they stand after it (for x-ratelimit-* headers). */
  rateLimits?: RateLimitStatus[];
  /** Replaces the reservation by the actual figures; idempotent. */
  settle(actual: { cost: bigint; tokens: number }): Promise<void>;
}

export interface Admission {
  /** Reserves against every budget and limit that applies, or throws BudgetExceeded/RateLimited. */
  admit(request: AdmissionRequest): Promise<AdmissionTicket>;
}

export const noAdmission: Admission = {
  admit: async () => ({ settle: async () => undefined }),
};

export const noUsageSink: UsageSink = { record: () => undefined };

/** Committed usage records, live (the `usageEvents` subscription). */
export interface UsageFeed {
  publish(records: readonly UsageRecord[]): void;
  /** Every record published from now on (by any instance), until the iterator is returned. */
  subscribe(): AsyncIterable<UsageRecord>;
  close(): Promise<void>;
}

/** What the usage writer reports in `health { metering }`. */
export interface MeteringStatus {
  buffered: number;
  /** Records lost: the buffer was full, they arrived after stop, or they could not even be dead-lettered. */
  dropped: number;
  written: number;
  /** Records the database refused for good, kept for an operator in the dead-letter store (usage_dead_letters). */
  deadLettered: number;
  /** The last transient write error, cleared by the next successful write. */
  lastError: string | null;
  lastErrorAt: Date | null;
  /** False from a failed (transient) write until a write succeeds. */
  databaseReachable: boolean;
}
