// The pure parts of metering: budget periods at UTC boundaries, how a report's range splits into
// rollup days and event edges, the in-memory rate limiter, and admission composing them.
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/auth.ts';
import { BudgetExceededError, BudgetUnavailableError, RateLimitedError } from '../../src/core/errors.ts';
import { periodEnd, periodStart } from '../../src/core/metering/budget-period.ts';
import type { BudgetClaim, BudgetLedger, StoredBudget } from '../../src/core/metering/budgets.ts';
import { MeteringAdmission } from '../../src/core/metering/metering-admission.ts';
import type { RateLimitRule } from '../../src/core/metering/rate-limit-status.ts';
import { InMemoryRateLimiter } from '../../src/core/metering/rate-limits.ts';
import { mergeUsageRows, planUsageQuery, zeroTotals } from '../../src/core/metering/usage-report.ts';
import { isDatabaseUnreachable } from '../../src/db/database-errors.ts';
import { keyCaller } from '../helpers/callers.ts';
import { ManualClock } from '../helpers/router-harness.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('budget periods', () => {
  it.each([
    ['DAILY', '2025-03-14T23:59:59.999Z', '2025-03-14T00:00:00.000Z', '2025-03-15T00:00:00.000Z'],
    ['DAILY', '2025-03-15T00:00:00.000Z', '2025-03-15T00:00:00.000Z', '2025-03-16T00:00:00.000Z'],
    // 2025-03-16 is a Sunday: its week began on Monday the 10th.
    ['WEEKLY', '2025-03-16T12:00:00.000Z', '2025-03-10T00:00:00.000Z', '2025-03-17T00:00:00.000Z'],
    ['WEEKLY', '2025-03-17T00:00:00.000Z', '2025-03-17T00:00:00.000Z', '2025-03-24T00:00:00.000Z'],
    ['MONTHLY', '2024-02-29T18:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['MONTHLY', '2025-12-31T23:59:59.999Z', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['LIFETIME', '2025-06-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', null],
  ] as const)('%s at %s starts %s and resets %s', (period, now, start, end) => {
    expect(iso(periodStart(period, at(now)))).toBe(start);
    expect(iso(periodEnd(period, at(now)))).toBe(end);
  });
});

describe('planning a usage query', () => {
  const d = (s: string) => new Date(s);
  it('answers whole days from the rollups alone', () => {
    expect(planUsageQuery(d('2025-03-01T00:00:00Z'), d('2025-03-31T00:00:00Z'))).toEqual({ rollupDays: { from: '2025-03-01', to: '2025-03-31' }, eventRanges: [] });
    expect(planUsageQuery(null, null)).toEqual({ rollupDays: { from: null, to: null }, eventRanges: [] });
  });
  it('reads the smaller part of each partial day from the events, adding or subtracting it', () => {
    // Starts at 06:00: the whole 1st from the rollups minus its first 6 hours; ends at 20:00: the
    // whole 5th minus its last 4 hours.
    expect(planUsageQuery(d('2025-03-01T06:00:00Z'), d('2025-03-05T20:00:00Z'))).toEqual({
      rollupDays: { from: '2025-03-01', to: '2025-03-06' },
      eventRanges: [
        { from: d('2025-03-01T00:00:00Z'), to: d('2025-03-01T06:00:00Z'), sign: -1 },
        { from: d('2025-03-05T20:00:00Z'), to: d('2025-03-06T00:00:00Z'), sign: -1 },
      ],
    });
    // Starts at 18:00 and ends at 03:00: the last 6 hours of the 1st and the first 3 of the 5th added.
    expect(planUsageQuery(d('2025-03-01T18:00:00Z'), d('2025-03-05T03:00:00Z'))).toEqual({
      rollupDays: { from: '2025-03-02', to: '2025-03-05' },
      eventRanges: [
        { from: d('2025-03-01T18:00:00Z'), to: d('2025-03-02T00:00:00Z'), sign: 1 },
        { from: d('2025-03-05T00:00:00Z'), to: d('2025-03-05T03:00:00Z'), sign: 1 },
      ],
    });
    // Open end (up to now): today's rollup row is complete, no events needed at that end.
    expect(planUsageQuery(d('2025-03-01T09:30:00Z'), null)).toEqual({
      rollupDays: { from: '2025-03-01', to: null },
      eventRanges: [{ from: d('2025-03-01T00:00:00Z'), to: d('2025-03-01T09:30:00Z'), sign: -1 }],
    });
  });
  it('reads a short range from the events only', () => {
    expect(planUsageQuery(d('2025-03-01T06:00:00Z'), d('2025-03-01T07:00:00Z'))).toEqual({
      rollupDays: null,
      eventRanges: [{ from: d('2025-03-01T06:00:00Z'), to: d('2025-03-01T07:00:00Z'), sign: 1 }],
    });
    expect(planUsageQuery(d('2025-03-01T23:00:00Z'), d('2025-03-02T01:00:00Z')).rollupDays).toBeNull();
    expect(planUsageQuery(d('2025-03-02T00:00:00Z'), d('2025-03-01T00:00:00Z'))).toEqual({ rollupDays: null, eventRanges: [] });
  });
  it('merges rollup and event rows per group, subtracting and dropping emptied groups', () => {
    const row = (day: string, requests: number, cost: bigint) => ({ ...zeroTotals(), day, keyId: null, teamId: null, userId: null, endUser: null, model: null, providerId: null, cacheHit: null, requests, costMicro: cost });
    const merged = mergeUsageRows([
      { rows: [row('2025-03-01', 10, 100n), row('2025-03-02', 4, 40n)], sign: 1 },
      { rows: [row('2025-03-01', 3, 30n), row('2025-03-02', 4, 40n)], sign: -1 },
      { rows: [row('2025-02-28', 2, 25n)], sign: 1 },
    ]);
    expect(merged.totals).toMatchObject({ requests: 9, costMicro: 95n });
    expect(merged.series.map((r) => [r.day, r.requests, r.costMicro])).toEqual([
      ['2025-02-28', 2, 25n],
      ['2025-03-01', 7, 70n],
    ]);
  });
});

const rule = (limits: Partial<RateLimitRule>): RateLimitRule => ({ id: 'key:a', label: 'key "a"', rpm: null, tpm: null, maxParallel: null, ...limits });
const minute = Date.UTC(2025, 0, 1, 12, 0);

describe('in-memory rate limiter', () => {
  it('admits rpm requests per fixed minute window, then refuses until the window ends', async () => {
    const limiter = new InMemoryRateLimiter();
    const r = rule({ rpm: 3 });
    for (let i = 0; i < 3; i++) await limiter.acquire([r], 10, minute + 1000 * i);
    const refused = await limiter.acquire([r], 10, minute + 20_000).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBe(40_000);
    expect((refused as RateLimitedError).message).toMatch(/key "a": 3 requests per minute/);
    const next = await limiter.acquire([r], 10, minute + 60_000);
    expect(next.statuses[0]).toMatchObject({ remainingRequests: 2, resetAt: minute + 120_000 });
  });

  it('reserves tokens and corrects them to the actual count when the request settles', async () => {
    const limiter = new InMemoryRateLimiter();
    const r = rule({ tpm: 1000 });
    const first = await limiter.acquire([r], 600, minute);
    expect(first.statuses[0]!.remainingTokens).toBe(400);
    await expect(limiter.acquire([r], 600, minute + 1)).rejects.toThrow(/1000 tokens per minute \(600 used/);
    await first.settle(100);
    await first.settle(0); // idempotent
    const second = await limiter.acquire([r], 600, minute + 2);
    expect(second.statuses[0]!.remainingTokens).toBe(300);
  });

  it('admits one oversized request into an empty token window', async () => {
    const limiter = new InMemoryRateLimiter();
    await limiter.acquire([rule({ tpm: 100 })], 5000, minute);
    await expect(limiter.acquire([rule({ tpm: 100 })], 1, minute)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('limits requests in flight until they settle', async () => {
    const limiter = new InMemoryRateLimiter();
    const r = rule({ maxParallel: 2 });
    const a = await limiter.acquire([r], 1, minute);
    await limiter.acquire([r], 1, minute);
    await expect(limiter.acquire([r], 1, minute)).rejects.toThrow(/2 parallel requests/);
    await a.settle(1);
    await limiter.acquire([r], 1, minute);
  });

  it('counts a request against every rule or none', async () => {
    const limiter = new InMemoryRateLimiter();
    const key = rule({ id: 'key:a', rpm: 10 });
    const team = rule({ id: 'team:t', label: 'team t', rpm: 1 });
    await limiter.acquire([key, team], 1, minute);
    await expect(limiter.acquire([key, team], 1, minute)).rejects.toThrow(/team t/);
    const alone = await limiter.acquire([key], 1, minute);
    expect(alone.statuses[0]!.remainingRequests).toBe(8);
  });
});

describe('admission', () => {
  const caller = (limits: Partial<NonNullable<Caller['keyLimits']>>): Caller => keyCaller('k1', 'app', limits);

  function fakeLedger(limit: bigint) {
    const state = { spent: 0n, reserved: 0n, claims: [] as BudgetClaim[], settles: 0, failSettles: 0 };
    const ledger: BudgetLedger = {
      async reserve(claims, cost) {
        state.claims = [...claims];
        if (state.spent + state.reserved + cost > limit) return { claim: claims[0]!, spentMicro: state.spent, reservedMicro: state.reserved };
        state.reserved += cost;
        return null;
      },
      async settle(_claims, reserved, actual) {
        if (state.failSettles > 0) {
          state.failSettles--;
          throw new Error('database unreachable');
        }
        state.settles++;
        state.reserved -= reserved;
        state.spent += actual;
      },
      async spend() {
        return [];
      },
    };
    return { ledger, state };
  }

  it('refuses with BUDGET_EXCEEDED naming the limit, the spend and the reset time, and frees the rate-limit slot', async () => {
    const clock = new ManualClock(Date.UTC(2025, 2, 14, 23, 0));
    const { ledger } = fakeLedger(1000n);
    const limiter = new InMemoryRateLimiter();
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: limiter, ledger, storedBudgets: async () => [], clock });
    const who = caller({ maxBudgetMicro: 1000n, budgetPeriod: 'DAILY', maxParallelRequests: 1 });
    const ticket = await admission.admit({ caller: who, endUser: null, model: 'm', maxTokens: 10, maxCost: 800n });
    await ticket.settle({ cost: 700n, tokens: 5 });
    await admission.drain();
    const refused = await admission.admit({ caller: who, endUser: null, model: 'm', maxTokens: 10, maxCost: 800n }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BudgetExceededError);
    expect((refused as Error).message).toBe(
      'Budget exceeded for key "app": limit $0.001, spent $0.0007 this DAILY period; this request may cost up to $0.0008; the budget resets at 2025-03-15T00:00:00.000Z',
    );
    // The refused request released its parallel slot: a cheap one is admitted.
    await admission.admit({ caller: who, endUser: null, model: 'm', maxTokens: 10, maxCost: 100n });
  });

  it('settles once, off the request path, retrying while the ledger fails', async () => {
    const clock = new ManualClock();
    const { ledger, state } = fakeLedger(10_000n);
    const waits: number[] = [];
    const admission = new MeteringAdmission({ isDatabaseUnreachable,
      rateLimiter: new InMemoryRateLimiter(),
      ledger,
      storedBudgets: async () => [],
      clock,
      sleep: async (ms) => void waits.push(ms),
    });
    state.failSettles = 2;
    const ticket = await admission.admit({ caller: caller({ maxBudgetMicro: 10_000n }), endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    expect(state.claims[0]).toMatchObject({ scope: 'KEY', scopeId: 'k1', period: 'LIFETIME', resetsAt: null });
    await ticket.settle({ cost: 200n, tokens: 5 });
    await ticket.settle({ cost: 200n, tokens: 5 });
    await admission.drain();
    expect(state).toMatchObject({ spent: 200n, reserved: 0n, settles: 1 });
    expect(waits).toHaveLength(2);
  });

  it('by default serves a request without a reservation when the budget ledger is unreachable (and logs it)', async () => {
    const lines: string[] = [];
    let settles = 0;
    const ledger: BudgetLedger = {
      reserve: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      settle: async () => void settles++,
      spend: async () => [],
    };
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: new InMemoryRateLimiter(), ledger, storedBudgets: async () => [], clock: new ManualClock(), logger: recordingLogger(lines) });
    const ticket = await admission.admit({ caller: caller({ maxBudgetMicro: 1n }), endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    await ticket.settle({ cost: 400n, tokens: 5 });
    await admission.drain();
    expect(settles).toBe(0);
    expect(lines).toEqual(['metering: budgets unavailable, serving without a reservation: connect ECONNREFUSED']);
  });

  /** A ledger whose database is down while `state.down`. */
  function unreachableLedger() {
    const state = { down: true, reserves: 0 };
    const ledger: BudgetLedger = {
      reserve: async () => {
        if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        state.reserves++;
        return null;
      },
      settle: async () => undefined,
      spend: async () => [],
    };
    return { ledger, state };
  }

  /** Admission with `budgetsWhenDatabaseUnavailable: refuse` over that ledger; log lines go to `lines`. */
  function refusingAdmission(ledger: BudgetLedger, lines: string[] = [], storedBudgets: () => Promise<StoredBudget[]> = async () => []) {
    return new MeteringAdmission({ isDatabaseUnreachable,
      rateLimiter: new InMemoryRateLimiter(),
      ledger,
      storedBudgets,
      clock: new ManualClock(),
      budgetsWhenDatabaseUnavailable: 'refuse',
      logger: recordingLogger(lines),
    });
  }

  it('with budgetsWhenDatabaseUnavailable: refuse, refuses a budgeted request with BUDGET_UNAVAILABLE and a Retry-After, frees its rate-limit slot and logs it', async () => {
    const lines: string[] = [];
    const { ledger, state } = unreachableLedger();
    const admission = refusingAdmission(ledger, lines);
    const who = caller({ maxBudgetMicro: 1000n, maxParallelRequests: 1 });
    const refused = await admission.admit({ caller: who, endUser: null, model: 'm', maxTokens: 10, maxCost: 500n }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BudgetUnavailableError);
    expect(refused).toMatchObject({
      code: 'BUDGET_UNAVAILABLE',
      retryAfterMs: 5000,
      message: "The budgets that apply to this request cannot be checked because the gateway's database is unavailable; retry later",
    });
    expect(lines).toEqual(['metering: budgets unavailable, refusing the request: connect ECONNREFUSED']);
    // The refused request released its parallel slot: once the database is back the next is admitted.
    state.down = false;
    await admission.admit({ caller: who, endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    expect(state.reserves).toBe(1);
  });

  it('with refuse, also refuses when the user or end-user budgets cannot be looked up (one may apply)', async () => {
    const { ledger } = unreachableLedger();
    const admission = refusingAdmission(ledger, [], async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    });
    const refused = await admission.admit({ caller: caller({}), endUser: 'user-42', model: 'm', maxTokens: 10, maxCost: 500n }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BudgetUnavailableError);
  });

  it('with refuse, serves requests without any budget (nothing to reserve) while the database is down', async () => {
    const { ledger } = unreachableLedger();
    const lines: string[] = [];
    // The user and end user are known (cached) to have no budget.
    const admission = refusingAdmission(ledger, lines);
    const ticket = await admission.admit({ caller: caller({ rpmLimit: 10 }), endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    await ticket.settle({ cost: 400n, tokens: 5 });
    await admission.admit({ caller: { ...caller({}), userId: 'u1' }, endUser: 'user-42', model: 'm', maxTokens: 10, maxCost: 500n });
    await admission.admit({ caller: undefined, endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    await admission.drain();
    expect(lines).toEqual([]);
  });

  it('applies no limits to the master key and to calls without a caller', async () => {
    const { ledger, state } = fakeLedger(0n);
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: new InMemoryRateLimiter(), ledger, storedBudgets: async () => [], clock: new ManualClock() });
    await admission.admit({ caller: undefined, endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    await admission.admit({ caller: { ...caller({ rpmLimit: 0 }), isMasterKey: true, keyLimits: null }, endUser: null, model: 'm', maxTokens: 10, maxCost: 500n });
    expect(state.claims).toEqual([]);
  });
});
