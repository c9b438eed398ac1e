// The port the lease ledger (budget-leases.ts) syncs through, and the pure rule that decides what
// one instance's lease on one budget becomes in a sync. The store runs `applyLeaseSync` under the
// budget's row lock, so the decision sees every other instance's committed leases (db/budget-lease-store.ts).
import type { BudgetClaim, BudgetSpend } from './budgets.ts';

export type SpendKey = Pick<BudgetClaim, 'scope' | 'scopeId' | 'periodStart'>;

/** What an instance asks of one budget in a sync. */
export interface LeaseSyncItem {
  key: SpendKey;
  limit: bigint;
  /** Settled spend to move from the lease to the budget's spend. */
  moved: bigint;
  /** Unused room the instance gives back (already taken out of its own accounting). */
  release: bigint;
  /** Held by requests in flight on the instance (the lease must keep covering it). */
  reserved: bigint;
  /** Amounts requests waiting on this sync need beyond the room the instance has, in arrival order. */
  demands: bigint[];
  /** Whether to top the lease up to `reserved` + a slice; false only when the instance drops it. */
  topUp: boolean;
  /** The slice the instance's recent demand calls for; the store caps it by what is left. */
  sliceWanted: bigint;
}

/**
 * What a sync made of one demand: granted from the budget's unleased remainder; stranded: it did not
 * fit there, but would if other instances gave back the idle room of their leases (the "last cents"
 * sit in their escrow); refused: not even the whole budget, less spend and requests in flight, covers it.
 */
export type Grant = 'granted' | 'stranded' | 'refused';

export interface LeaseSyncResult {
  /** The instance's lease after the sync (spent not yet moved included: none, it all moved). */
  lease: bigint;
  /** Per demand, in order. */
  grants: Grant[];
  spent: bigint;
  /** Leased by other live instances. */
  leasedByOthers: bigint;
  /** The slice this instance should hold while the budget stays as it is. */
  slice: bigint;
}

/** The budget's row as the store read it under its lock, after deleting expired leases. */
export interface LockedBudget {
  spent: bigint;
  /** All live leases, this instance's included. */
  leased: bigint;
  /** This instance's live lease (0 when it has none or it expired). */
  own: bigint;
  /** Live leases of other instances. */
  otherInstances: number;
  /** Held by requests in flight on other instances, as of their last syncs. */
  reservedByOthers: bigint;
}

/**
 * How a lease is shared: a slice is at most what is left of the budget (limit - spend) divided by
 * SHARE_DIVISOR × the instances holding leases, so the slices shrink as the budget nears exhaustion
 * and an instance gives back room beyond twice its slice (budget-leases.ts): at most about half of
 * what is left sits idle in leases, and at the very end (under SHARE_DIVISOR × instances micro-USD)
 * none does.
 */
export const SHARE_DIVISOR = 4n;

export interface LeaseSyncDecision extends LeaseSyncResult {
  /** The budget's leased total after the sync. */
  leasedAfter: bigint;
}

/** What one sync makes of one budget: spend moved, room released, demands granted in order, a slice topped up. */
export function applyLeaseSync(item: LeaseSyncItem, locked: LockedBudget): LeaseSyncDecision {
  let own = locked.own;
  let leased = locked.leased;
  const spent = locked.spent + item.moved;
  // Spend leaves the lease (all of it, or what the lease still had if it expired meanwhile).
  const movedOut = item.moved < own ? item.moved : own;
  own -= movedOut;
  leased -= movedOut;
  const released = item.release < own ? item.release : own;
  own -= released;
  leased -= released;
  let available = item.limit - spent - leased;
  const grants = item.demands.map((need): Grant => {
    if (need > available) return need <= item.limit - spent - locked.reservedByOthers - own ? 'stranded' : 'refused';
    own += need;
    leased += need;
    available -= need;
    return 'granted';
  });
  const remaining = item.limit - spent;
  const fair = remaining > 0n ? remaining / (SHARE_DIVISOR * BigInt(locked.otherInstances + 1)) : 0n;
  const share = fair < available ? fair : available > 0n ? available : 0n;
  const slice = item.sliceWanted < share ? item.sliceWanted : share;
  if (item.topUp) {
    const free = own - item.reserved;
    if (free < slice) {
      // In-flight requests of a lease that expired are covered again first, as far as what is left allows.
      const add = slice - free < available ? slice - free : available > 0n ? available : 0n;
      own += add;
      leased += add;
    }
  }
  return { lease: own, grants, spent, leasedByOthers: leased - own, slice, leasedAfter: leased };
}

export interface BudgetLeaseStore {
  /** One transaction over all the items' budgets; results in item order. */
  sync(instanceId: string, ttlMs: number, items: readonly LeaseSyncItem[]): Promise<LeaseSyncResult[]>;
  /** Spend, reservations and live leases of the given periods, in input order. */
  spend(keys: readonly SpendKey[]): Promise<BudgetSpend[]>;
}
