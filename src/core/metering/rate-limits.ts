// Rate limits per key and per team: requests per minute, tokens (input + output) per minute and
// requests in flight. Windows are fixed UTC minutes: a request counts in the minute it was admitted,
// with its maximum tokens reserved, corrected to the actual tokens when it settles.
import { RateLimitedError } from '../errors.ts';
import type { RateLimitRule, RateLimitStatus } from './rate-limit-status.ts';

export interface RateLimitLease {
  readonly statuses: RateLimitStatus[];
  /** Replaces the reserved tokens by the actual count and frees the parallel slot; idempotent. */
  settle(actualTokens: number): Promise<void>;
  /**
   * Undoes the request's count (request, reserved tokens, parallel slot), for a request refused
   * after it was counted (by its budget): a refusal must not use up the limits. Idempotent; after
   * settle it does nothing.
   */
  release(): Promise<void>;
}

export interface RateLimiter {
  /** Counts one request of `tokens` against every rule, all or nothing, or throws RateLimitedError. */
  acquire(rules: readonly RateLimitRule[], tokens: number, now: number): Promise<RateLimitLease>;
  close?(): Promise<void>;
}

export const WINDOW_MS = 60_000;
/** What a client is told to wait when only the parallel limit refused it. */
export const PARALLEL_RETRY_MS = 1000;

export const windowOf = (now: number): number => Math.floor(now / WINDOW_MS);

export type RefusalReason = 'rpm' | 'tpm' | 'parallel';

/**
 * Why a rule refuses one more request, or null. An empty token window admits one request even when
 * its reservation alone exceeds the tpm limit: otherwise such a request could never run.
 */
export function refusalOf(rule: RateLimitRule, used: { requests: number; tokens: number; inFlight: number }, tokens: number): RefusalReason | null {
  if (rule.rpm !== null && used.requests + 1 > rule.rpm) return 'rpm';
  if (rule.tpm !== null && used.tokens > 0 && used.tokens + tokens > rule.tpm) return 'tpm';
  if (rule.maxParallel !== null && used.inFlight + 1 > rule.maxParallel) return 'parallel';
  return null;
}

export function rateLimitedError(rule: RateLimitRule, reason: RefusalReason, used: { requests: number; tokens: number }, now: number): RateLimitedError {
  const resetAt = (windowOf(now) + 1) * WINDOW_MS;
  const retryAfterMs = reason === 'parallel' ? PARALLEL_RETRY_MS : resetAt - now;
  const what =
    reason === 'rpm'
      ? `${rule.rpm} requests per minute`
      : reason === 'tpm'
        ? `${rule.tpm} tokens per minute (${used.tokens} used this minute)`
        : `${rule.maxParallel} parallel requests`;
  return new RateLimitedError(`Rate limit exceeded for ${rule.label}: ${what}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
}

export function statusOf(rule: RateLimitRule, used: { requests: number; tokens: number }, now: number): RateLimitStatus {
  return {
    rule,
    remainingRequests: rule.rpm === null ? null : Math.max(0, rule.rpm - used.requests),
    remainingTokens: rule.tpm === null ? null : Math.max(0, rule.tpm - used.tokens),
    resetAt: (windowOf(now) + 1) * WINDOW_MS,
  };
}

/** The statuses as they stand once a counted request of `tokens` is released again. */
export function releasedStatuses(statuses: readonly RateLimitStatus[], tokens: number): RateLimitStatus[] {
  return statuses.map((status) => ({
    ...status,
    remainingRequests: status.remainingRequests === null ? null : Math.min(status.rule.rpm ?? Infinity, status.remainingRequests + 1),
    remainingTokens: status.remainingTokens === null ? null : Math.min(status.rule.tpm ?? Infinity, status.remainingTokens + tokens),
  }));
}

interface WindowCounters {
  window: number;
  requests: number;
  tokens: number;
}

/** One instance's limits, in memory. */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, WindowCounters>();
  private readonly inFlight = new Map<string, number>();

  private counters(id: string, window: number): WindowCounters {
    let counters = this.windows.get(id);
    if (!counters || counters.window !== window) {
      counters = { window, requests: 0, tokens: 0 };
      this.windows.set(id, counters);
    }
    return counters;
  }

  async acquire(rules: readonly RateLimitRule[], tokens: number, now: number): Promise<RateLimitLease> {
    const window = windowOf(now);
    for (const rule of rules) {
      const counters = this.counters(rule.id, window);
      const reason = refusalOf(rule, { ...counters, inFlight: this.inFlight.get(rule.id) ?? 0 }, tokens);
      if (reason) throw rateLimitedError(rule, reason, counters, now);
    }
    const held = rules.map((rule) => {
      const counters = this.counters(rule.id, window);
      counters.requests += 1;
      counters.tokens += tokens;
      if (rule.maxParallel !== null) this.inFlight.set(rule.id, (this.inFlight.get(rule.id) ?? 0) + 1);
      return { rule, counters };
    });
    const statuses = held.map(({ rule, counters }) => statusOf(rule, counters, now));
    let settled = false;
    const end = (actualTokens: number, requests: number) => {
      if (settled) return;
      settled = true;
      for (const { rule, counters } of held) {
        // A later window has its own counters; the correction belongs to the window it reserved in.
        counters.tokens = Math.max(0, counters.tokens + actualTokens - tokens);
        counters.requests = Math.max(0, counters.requests + requests);
        if (rule.maxParallel === null) continue;
        const left = (this.inFlight.get(rule.id) ?? 1) - 1;
        if (left > 0) this.inFlight.set(rule.id, left);
        else this.inFlight.delete(rule.id);
      }
    };
    return {
      statuses,
      settle: async (actualTokens) => end(actualTokens, 0),
      release: async () => end(0, -1),
    };
  }
}
