// Ports between the completion service and metering: admission (budgets and rate limits, checked
// and reserved before any upstream call) and the usage sink (one record per request, written off
// the request path).
import type { Caller } from './auth.ts';
import type { ErrorCode, GatewayError } from './errors.ts';
import type { RateLimitStatus } from './metering/rate-limit-status.ts';
import type { Attempt } from './requests/attempt.ts';
import type { Usage } from './types.ts';

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
