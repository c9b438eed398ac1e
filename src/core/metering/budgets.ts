// Budgets: an amount of micro-USD per period on a key, a team, a user or an end user. Requests
// reserve their maximum cost against every budget that applies before the upstream call and
// settle to the actual cost after it (see metering-admission.ts).
import { formatMicroUsd } from '../money.ts';
import type { BudgetPeriod } from '../keys/types.ts';
import { periodEnd, periodStart } from './budget-period.ts';

export type BudgetScope = 'KEY' | 'TEAM' | 'USER' | 'END_USER';

export interface Budget {
  scope: BudgetScope;
  /** The key, team or user id, or the end-user string. */
  scopeId: string;
  amountMicro: bigint;
  period: BudgetPeriod;
}

/** A budget as one request meets it: the period it reserves in and a name for messages. */
export interface BudgetClaim extends Budget {
  periodStart: Date;
  resetsAt: Date | null;
  label: string;
}

export interface BudgetSpend {
  spentMicro: bigint;
  reservedMicro: bigint;
  /** Held in escrow by gateway instances' leases (budget-leases.ts), reserved included; absent: none. */
  leasedMicro?: bigint;
}

export interface BudgetRefusal extends BudgetSpend {
  claim: BudgetClaim;
}

/** Where spend is kept (Postgres: the budget_spend table). */
export interface BudgetLedger {
  /** Reserves `cost` against every claim in one transaction, or against none: then returns the claim that did not fit. */
  reserve(claims: readonly BudgetClaim[], cost: bigint): Promise<BudgetRefusal | null>;
  /** Replaces the reservation of `reserved` by spend of `actual`. */
  settle(claims: readonly BudgetClaim[], reserved: bigint, actual: bigint): Promise<void>;
  /** Spend in the given periods (zero where nothing was spent yet), in input order. */
  spend(claims: ReadonlyArray<Pick<BudgetClaim, 'scope' | 'scopeId' | 'periodStart'>>): Promise<BudgetSpend[]>;
}

/** User and end-user budgets as stored (key and team budgets are fields of the key and team). */
export interface StoredBudget extends Budget {
  scope: 'USER' | 'END_USER';
  createdAt: Date;
  updatedAt: Date;
}

export interface BudgetRepository {
  /** The budgets of these (scope, id) pairs that exist. */
  find(targets: ReadonlyArray<{ scope: 'USER' | 'END_USER'; scopeId: string }>): Promise<StoredBudget[]>;
  list(scope: 'USER' | 'END_USER' | null): Promise<StoredBudget[]>;
  upsert(budget: Omit<StoredBudget, 'createdAt' | 'updatedAt'>): Promise<StoredBudget>;
  delete(scope: 'USER' | 'END_USER', scopeId: string): Promise<StoredBudget | null>;
}

export function claimOf(budget: Budget, label: string, now: number): BudgetClaim {
  const end = periodEnd(budget.period, now);
  return { ...budget, periodStart: new Date(periodStart(budget.period, now)), resetsAt: end === null ? null : new Date(end), label };
}

/** "Budget exceeded for key "prod": limit $10, spent $9.99 (+ $0.005 reserved) this DAILY period; resets at ...". */
export function describeRefusal(refusal: BudgetRefusal, cost: bigint): string {
  const { claim, spentMicro, reservedMicro } = refusal;
  const reserved = reservedMicro > 0n ? ` (+ $${formatMicroUsd(reservedMicro)} reserved by requests in flight)` : '';
  const period = claim.period === 'LIFETIME' ? 'in total' : `this ${claim.period} period`;
  const reset = claim.resetsAt ? `resets at ${claim.resetsAt.toISOString()}` : 'never resets';
  return (
    `Budget exceeded for ${claim.label}: limit $${formatMicroUsd(claim.amountMicro)}, spent $${formatMicroUsd(spentMicro)}${reserved} ${period}; ` +
    `this request may cost up to $${formatMicroUsd(cost)}; the budget ${reset}`
  );
}
