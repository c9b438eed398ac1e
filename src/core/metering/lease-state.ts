// One budget's lease as this instance sees it, in memory, and the pure rules over it: the room a
// request may still take, when a background sync has something to do, and the slice to hold.
// The ledger that syncs these with the database is budget-leases.ts.
import type { BudgetClaim } from './budgets.ts';
import type { SpendKey } from './budget-lease-store.ts';

/** A slice covers this many of the largest recent reservations, or this many seconds of recent demand. */
const SLICE_REQUESTS = 16n;
const SLICE_SECONDS = 2n;

export interface LeaseState {
  key: SpendKey;
  limit: bigint;
  /** What the database holds for this instance, less room released in a sync not yet answered. */
  lease: bigint;
  /** Held by requests in flight. */
  reserved: bigint;
  /** Settled, not yet moved to the budget's spend. */
  pending: bigint;
  /** Monotonic time until which the lease may be used (0: no lease). */
  validUntil: number;
  /** The slice the last sync said to hold; 0 before the first. */
  slice: bigint;
  spentSeen: bigint;
  leasedByOthers: bigint;
  lastUsed: number;
  windowStart: number;
  windowDemand: bigint;
  windowMaxCost: bigint;
  lastRate: bigint;
  lastMaxCost: bigint;
  /** Until then (monotonic) another instance needs this budget's last cents: hold no idle room. */
  shortageUntil: number;
  /** Requests of this instance waiting on a sync for room on this or another of their budgets. */
  waiting: number;
}

export const keyOf = (key: SpendKey): string => `${key.scope}\u0000${key.scopeId}\u0000${key.periodStart.getTime()}`;
export const max = (a: bigint, b: bigint) => (a > b ? a : b);

export function newLeaseState(claim: BudgetClaim, now: number): LeaseState {
  return {
    key: { scope: claim.scope, scopeId: claim.scopeId, periodStart: claim.periodStart },
    limit: claim.amountMicro,
    lease: 0n,
    reserved: 0n,
    pending: 0n,
    validUntil: 0,
    slice: 0n,
    spentSeen: 0n,
    leasedByOthers: 0n,
    lastUsed: now,
    windowStart: now,
    windowDemand: 0n,
    windowMaxCost: 0n,
    lastRate: 0n,
    lastMaxCost: 0n,
    shortageUntil: 0,
    waiting: 0,
  };
}

/** What the instance may still admit on this budget (negative when a lapsed lease left requests in flight). */
export function roomOf(state: LeaseState, now: number): bigint {
  return (now < state.validUntil ? state.lease : 0n) - state.reserved - state.pending;
}

/** Reserves `cost` on the lease for a request admitted at `now`. */
export function take(state: LeaseState, cost: bigint, now: number): void {
  state.reserved += cost;
  state.lastUsed = now;
  state.windowDemand += cost;
  if (cost > state.windowMaxCost) state.windowMaxCost = cost;
}

/** Whether a background sync has something to do for this budget. */
export function needsAttention(state: LeaseState, now: number, ttlMs: number): boolean {
  if (state.pending > 0n) return true;
  const holds = state.lease > 0n || state.reserved > 0n;
  if (holds && state.validUntil - now < ttlMs / 2) return true;
  const room = roomOf(state, now);
  if (now - state.lastUsed > ttlMs) return holds;
  if (now < state.shortageUntil) return now < state.validUntil && room > 0n;
  return room * 2n < state.slice || (now < state.validUntil && room > 2n * state.slice);
}

/** The slice recent demand calls for: 16 of the largest recent reservations, or 2 s of recent spend. */
export function sliceWanted(state: LeaseState, now: number): bigint {
  const elapsed = now - state.windowStart;
  if (elapsed >= 1000) {
    state.lastRate = (state.windowDemand * 1000n) / BigInt(Math.max(1, Math.round(elapsed)));
    state.lastMaxCost = state.windowMaxCost;
    state.windowStart = now;
    state.windowDemand = 0n;
    state.windowMaxCost = 0n;
  }
  const largest = max(state.lastMaxCost, state.windowMaxCost);
  return max(max(largest * SLICE_REQUESTS, state.lastRate * SLICE_SECONDS), 1n);
}
