// Admission composed of rate limits and budgets. Before the upstream call: count the request
// against the key's and team's rate limits, then reserve its maximum cost against every budget
// that applies (key, team, user, end user) in one transaction; a refusal by either undoes the rest.
// After the call: the rate limits are corrected to the actual tokens at once; the budgets settle to
// the actual cost off the request path, retried, so a slow or unreachable database never fails a
// request that was already served (its reservation holds meanwhile, which errs on the safe side).
// When the database cannot be reached at reservation time, `budgetsWhenDatabaseUnavailable` says
// whether a budgeted request is served unreserved (the default) or refused. Any other failure of
// the budget lookup or the ledger (bad data, a constraint, a bug) refuses the request: only an
// outage may let a request through without its reservation.
import type { Caller } from '../auth.ts';
import { BudgetExceededError, BudgetUnavailableError } from '../errors.ts';
import type { Limits } from '../keys/types.ts';
import type { Admission, AdmissionRequest, AdmissionTicket } from './metering-ports.ts';
import { silentLogger, type Clock, type Logger } from '../ports.ts';
import { claimOf, describeRefusal, type BudgetClaim, type BudgetLedger, type BudgetRefusal, type StoredBudget } from './budgets.ts';
import type { RateLimitRule, RateLimitStatus } from './rate-limit-status.ts';
import { releasedStatuses, type RateLimiter } from './rate-limits.ts';

/** What a request with a budget gets when its reservation cannot be made for want of the database. */
export const BUDGETS_WHEN_DATABASE_UNAVAILABLE = ['serve', 'refuse'] as const;
export type BudgetsWhenDatabaseUnavailable = (typeof BUDGETS_WHEN_DATABASE_UNAVAILABLE)[number];

export interface MeteringAdmissionOptions {
  rateLimiter: RateLimiter;
  ledger: BudgetLedger;
  /** The user's and the end user's stored budgets (cached by the caller of this). */
  storedBudgets(userId: string | null, endUser: string | null): Promise<StoredBudget[]>;
  clock: Clock;
  /** Absent: 'serve'. */
  budgetsWhenDatabaseUnavailable?: BudgetsWhenDatabaseUnavailable;
  /**
   * Whether a budget lookup or ledger error means the database could not be reached (a connection
   * error) rather than that it refused the statement; only the former falls under the policy above.
   */
  isDatabaseUnreachable(error: unknown): boolean;
  logger?: Logger;
  /** Waits between settle retries; injected by tests. */
  sleep?: (ms: number) => Promise<void>;
}

const SETTLE_ATTEMPTS = 6;
/** The Retry-After of a refusal for want of the database: a restart or failover takes seconds. */
const BUDGET_UNAVAILABLE_RETRY_AFTER_MS = 5000;

export class MeteringAdmission implements Admission {
  /** Budgeted requests admitted while the database could not be reached: served unreserved, or refused (metrics). */
  readonly databaseUnavailable = { served: 0, refused: 0 };
  private readonly pending = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly options: MeteringAdmissionOptions) {}

  async admit(request: AdmissionRequest): Promise<AdmissionTicket> {
    const { caller, endUser, maxTokens, maxCost } = request;
    const now = this.options.clock.now();
    const rules = caller ? rateLimitRules(caller) : [];
    const lease = rules.length > 0 ? await this.options.rateLimiter.acquire(rules, maxTokens, now) : null;
    let claims: BudgetClaim[];
    try {
      // A budget refusal releases the request's rate-limit count: refused requests do not use up rpm.
      claims = await this.reserveBudgets(caller, endUser, maxCost, now, lease ? releasedStatuses(lease.statuses, maxTokens) : []);
    } catch (error) {
      await lease?.release().catch((releaseError: unknown) => this.logger.warn(`metering: rate-limit release failed: ${(releaseError as Error).message}`));
      throw error;
    }
    let settled = false;
    return {
      rateLimits: lease?.statuses ?? [],
      settle: async (actual) => {
        if (settled) return;
        settled = true;
        // Rate limits: the settle is issued now, before the response goes out (a parallel slot is
        // free once the client has its answer), but not waited for: with Redis it is a round trip
        // that need not hold up the response. Budgets settle in the background.
        if (lease) this.track(lease.settle(actual.tokens).catch((error: unknown) => this.logger.warn(`metering: rate-limit settle failed: ${(error as Error).message}`)));
        if (claims.length > 0) this.track(this.settleBudgets(claims, maxCost, actual.cost));
      },
    };
  }

  /**
   * Reserves against every budget that applies; returns the claims to settle. When the database
   * cannot be reached the request is by default served without a reservation (logged): like usage
   * records, budgets must not turn a database outage into an outage of the gateway. With 'refuse'
   * it is refused instead, also when its user's or end user's budgets could not be looked up (one
   * may apply); a request without key or team budget and without a user or end user needs no
   * database and is served either way.
   */
  private async reserveBudgets(
    caller: Caller | undefined,
    endUser: string | null,
    maxCost: bigint,
    now: number,
    rateLimits: RateLimitStatus[],
  ): Promise<BudgetClaim[]> {
    let claims: BudgetClaim[];
    let refusal: BudgetRefusal | null;
    try {
      claims = await this.budgetClaims(caller, endUser, now);
      refusal = claims.length > 0 ? await this.options.ledger.reserve(claims, maxCost) : null;
    } catch (error) {
      // The message only: the driver's error object may carry connection details.
      const reason = innermostMessage(error);
      if (!this.options.isDatabaseUnreachable(error)) {
        this.logger.error(`metering: budgets could not be checked (not an outage), refusing the request: ${reason}`);
        throw new BudgetUnavailableError('The budgets that apply to this request could not be checked because of an internal error; the request was refused');
      }
      if (this.options.budgetsWhenDatabaseUnavailable === 'refuse') {
        this.databaseUnavailable.refused += 1;
        this.logger.warn(`metering: budgets unavailable, refusing the request: ${reason}`);
        throw new BudgetUnavailableError("The budgets that apply to this request cannot be checked because the gateway's database is unavailable; retry later", {
          retryAfterMs: BUDGET_UNAVAILABLE_RETRY_AFTER_MS,
          rateLimits,
        });
      }
      this.databaseUnavailable.served += 1;
      this.logger.warn(`metering: budgets unavailable, serving without a reservation: ${reason}`);
      return [];
    }
    if (refusal) throw new BudgetExceededError(describeRefusal(refusal, maxCost), { rateLimits });
    return claims;
  }

  /** Resolves when every settle started so far has finished (before the database closes). */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private async settleBudgets(claims: BudgetClaim[], reserved: bigint, actual: bigint): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.ledger.settle(claims, reserved, actual);
        return;
      } catch (error) {
        if (attempt >= SETTLE_ATTEMPTS) {
          this.logger.error(`metering: budget settle failed ${attempt} times, ${reserved} micro-USD stays reserved: ${(error as Error).message}`);
          return;
        }
        // Shutting down: retry quickly rather than hold up the exit.
        await sleep(this.closing ? 250 : Math.min(8000, 250 * 2 ** (attempt - 1)));
      }
    }
  }

  private async budgetClaims(caller: Caller | undefined, endUser: string | null, now: number): Promise<BudgetClaim[]> {
    const claims: BudgetClaim[] = [];
    const keyBudget = caller?.keyLimits?.maxBudgetMicro;
    if (caller && keyBudget != null) {
      claims.push(claimOf({ scope: 'KEY', scopeId: caller.keyId, amountMicro: keyBudget, period: caller.keyLimits!.budgetPeriod ?? 'LIFETIME' }, `key "${caller.keyName}"`, now));
    }
    const teamBudget = caller?.teamLimits?.maxBudgetMicro;
    if (caller?.teamId && teamBudget != null) {
      claims.push(claimOf({ scope: 'TEAM', scopeId: caller.teamId, amountMicro: teamBudget, period: caller.teamLimits!.budgetPeriod ?? 'LIFETIME' }, `team ${caller.teamId}`, now));
    }
    const userId = caller?.userId ?? null;
    if (userId !== null || endUser !== null) {
      for (const budget of await this.options.storedBudgets(userId, endUser)) {
        claims.push(claimOf(budget, budget.scope === 'USER' ? `user ${budget.scopeId}` : `end user "${budget.scopeId}"`, now));
      }
    }
    return claims;
  }
}

/** The driver's own message (the innermost cause), not a wrapper's that repeats the statement and its parameters. */
function innermostMessage(error: unknown): string {
  let inner = error;
  for (let depth = 0; depth < 5 && (inner as { cause?: unknown })?.cause instanceof Error; depth++) inner = (inner as { cause: unknown }).cause;
  return inner instanceof Error ? inner.message : String(inner);
}

function ruleOf(id: string, label: string, limits: Limits | null | undefined): RateLimitRule[] {
  if (!limits) return [];
  const { rpmLimit, tpmLimit, maxParallelRequests } = limits;
  if (rpmLimit === null && tpmLimit === null && maxParallelRequests === null) return [];
  return [{ id, label, rpm: rpmLimit, tpm: tpmLimit, maxParallel: maxParallelRequests }];
}

/** The key's and its team's rate limits; the master key has none. */
export function rateLimitRules(caller: Caller): RateLimitRule[] {
  if (caller.isMasterKey) return [];
  return [...ruleOf(`key:${caller.keyId}`, `key "${caller.keyName}"`, caller.keyLimits), ...(caller.teamId ? ruleOf(`team:${caller.teamId}`, `team ${caller.teamId}`, caller.teamLimits) : [])];
}
