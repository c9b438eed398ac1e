// Admin operations on user and end-user budgets (audited, like AdminService's), their current
// spend, and the cached lookup admission uses on every request. Changes are published on the
// ChangeFeed so every instance drops its cache.
import type { Caller } from '../auth.ts';
import { InvalidRequestError, NotFoundError } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { INPUT_LIMITS, checkBoundedText } from '../input-limits.ts';
import { auditEntry } from '../keys/audit-entry.ts';
import type { AuditLogRepository, BudgetPeriod } from '../keys/types.ts';
import type { ChangeFeed, Clock } from '../ports.ts';
import { claimOf, type Budget, type BudgetLedger, type BudgetRepository, type BudgetSpend, type StoredBudget } from './budgets.ts';

export const BUDGET_CHANGES_TOPIC = 'budget';
type StoredScope = StoredBudget['scope'];

export interface BudgetServiceOptions {
  repository: BudgetRepository;
  ledger: BudgetLedger;
  audit: AuditLogRepository;
  changes: ChangeFeed;
  clock: Clock;
  newId(): string;
}

export interface SetBudgetInput {
  scope: StoredScope;
  scopeId: string;
  amountMicro: bigint;
  period: BudgetPeriod;
}

export interface BudgetWithSpend extends StoredBudget, BudgetSpend {
  periodStart: Date;
  resetsAt: Date | null;
}

const CACHE_LIMIT = 100_000;

export class BudgetService {
  /** `${scope}:${id}` -> the budget, or null when there is none (most users and end users). */
  private readonly cache = new Map<string, StoredBudget | null>();

  constructor(private readonly options: BudgetServiceOptions) {}

  invalidate(): void {
    this.cache.clear();
  }

  /** The stored budgets that apply to a request of this user and end user. */
  async applicable(userId: string | null, endUser: string | null): Promise<StoredBudget[]> {
    const targets: Array<{ scope: StoredScope; scopeId: string }> = [];
    if (userId !== null) targets.push({ scope: 'USER', scopeId: userId });
    if (endUser !== null) targets.push({ scope: 'END_USER', scopeId: endUser });
    const missing = targets.filter((target) => !this.cache.has(cacheKey(target)));
    if (missing.length > 0) {
      const found = await this.options.repository.find(missing);
      if (this.cache.size + missing.length > CACHE_LIMIT) this.cache.clear();
      for (const target of missing) {
        this.cache.set(cacheKey(target), found.find((budget) => budget.scope === target.scope && budget.scopeId === target.scopeId) ?? null);
      }
    }
    return targets.flatMap((target) => {
      const budget = this.cache.get(cacheKey(target));
      return budget ? [budget] : [];
    });
  }

  async list(scope: StoredScope | null): Promise<BudgetWithSpend[]> {
    return this.withSpend(await this.options.repository.list(scope));
  }

  /** The budgets with what was spent and reserved in their current periods. */
  async withSpend(budgets: StoredBudget[]): Promise<BudgetWithSpend[]> {
    const now = this.options.clock.now();
    const claims = budgets.map((budget) => claimOf(budget, '', now));
    const spend = await this.options.ledger.spend(claims);
    return budgets.map((budget, index) => ({ ...budget, ...spend[index]!, periodStart: claims[index]!.periodStart, resetsAt: claims[index]!.resetsAt }));
  }

  /** Spend in the current period of any budgets (a key's or team's own, for `me`). */
  async status(budgets: Budget[]): Promise<Array<Budget & BudgetSpend & { periodStart: Date; resetsAt: Date | null }>> {
    const now = this.options.clock.now();
    const claims = budgets.map((budget) => claimOf(budget, '', now));
    const spend = await this.options.ledger.spend(claims);
    return budgets.map((budget, index) => ({ ...budget, ...spend[index]!, periodStart: claims[index]!.periodStart, resetsAt: claims[index]!.resetsAt }));
  }

  async setBudget(actor: Caller, input: SetBudgetInput): Promise<StoredBudget> {
    const scopeId = checkScopeId(input.scope, input.scopeId);
    if (input.amountMicro < 0n) throw new InvalidRequestError('amount: must not be negative');
    const [before] = await this.options.repository.find([{ scope: input.scope, scopeId }]);
    const after = await this.options.repository.upsert({ scope: input.scope, scopeId, amountMicro: input.amountMicro, period: input.period });
    await this.changed(scopeId);
    await this.audit(actor, 'setBudget', `${input.scope}:${scopeId}`, before ?? null, after);
    return after;
  }

  async deleteBudget(actor: Caller, scope: StoredScope, scopeId: string): Promise<StoredBudget> {
    const deleted = await this.options.repository.delete(scope, scopeId);
    if (!deleted) throw new NotFoundError(`No ${scope} budget for ${scopeId}`);
    await this.changed(scopeId);
    await this.audit(actor, 'deleteBudget', `${scope}:${scopeId}`, deleted, null);
    return deleted;
  }

  private async changed(scopeId: string): Promise<void> {
    this.invalidate();
    await this.options.changes.publish(BUDGET_CHANGES_TOPIC, scopeId);
  }

  private async audit(actor: Caller, action: string, targetId: string, before: unknown, after: unknown): Promise<void> {
    await this.options.audit.append(auditEntry(this.options, actor, { action, targetType: 'Budget', targetId, before, after }));
  }
}

const cacheKey = (target: { scope: StoredScope; scopeId: string }) => `${target.scope}:${target.scopeId}`;

function checkScopeId(scope: StoredScope, scopeId: string): string {
  const trimmed = scopeId.trim();
  if (scope === 'USER' && !isUuid(trimmed)) throw new InvalidRequestError('scopeId: a USER budget needs a user id');
  // An end-user budget must be able to name any end-user id a request may carry.
  const maxLength = scope === 'END_USER' ? INPUT_LIMITS.endUserLength : INPUT_LIMITS.nameLength;
  if (trimmed.length === 0 || trimmed.length > maxLength) throw new InvalidRequestError(`scopeId: must be 1 to ${maxLength} characters`);
  return checkBoundedText('scopeId', trimmed, maxLength);
}
