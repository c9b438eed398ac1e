// Budgets at memory speed, still exact. Each instance holds a lease on every budget it serves: an
// amount taken in escrow from the budget's remaining amount in the database, under the budget's row
// lock, only when spend + all live leases + the new amount fit the limit (budget-lease-store.ts).
// Requests reserve and settle against the lease in memory; a background sync (group commit) moves
// settled spend from the lease to the budget's spend, tops the lease up ahead of need, gives back
// room the instance does not need and renews the lease before its TTL runs out. A request that does
// not fit the instance's room waits for one synchronous sync that asks for exactly what it lacks.
//
// The last cents: slices shrink as the budget nears exhaustion (budget-lease-store.ts), and when a
// request's need does not fit the budget's unleased remainder but would fit once other instances
// gave back the idle room of their leases, the instance signals a shortage of that budget to the
// others (LISTEN/NOTIFY through the ChangeFeed); each gives back its idle room on that budget at
// once and holds none for SHORTAGE_HOLD_MS, while the requester retries its sync with backoff for
// at most SHORTAGE_WAIT_MS. It is refused when not even the limit less spend and the requests in
// flight everywhere can cover it, or when the room did not come back in time (an instance that
// crashed holds its room until its lease expires).
//
// Exactness: the sum of what every instance may admit is the sum of live leases, which the database
// never lets exceed limit - spend. A lease the database stopped seeing renewed (its instance crashed
// or lost the database) expires after `ttlMs` and its amount returns to the budget; the instance
// itself stops admitting against it earlier (LOCAL_VALIDITY of the TTL, counted from when the
// renewing sync was sent), so both never use the same money. What a crash costs: the dead instance's
// unused room stays out of reach for at most `ttlMs`; its requests in flight die with it, unbilled.
import { silentLogger, type ChangeFeed, type Logger } from '../ports.ts';
import { GroupCommit } from './group-commit.ts';
import type { BudgetClaim, BudgetLedger, BudgetRefusal, BudgetSpend } from './budgets.ts';
import type { BudgetLeaseStore, Grant, LeaseSyncItem, LeaseSyncResult, SpendKey } from './budget-lease-store.ts';
import { BUDGET_SHORTAGE_TOPIC, parseShortage, SHORTAGE_FIRST_RETRY_MS, SHORTAGE_HOLD_MS, SHORTAGE_WAIT_MS, shortageId } from './budget-shortage.ts';
import { keyOf, max, needsAttention, newLeaseState, roomOf, sliceWanted, take, type LeaseState } from './lease-state.ts';

export interface LeasedBudgetLedgerOptions {
  store: BudgetLeaseStore;
  /** Names this process's leases; a restarted process gets a new one (its old leases expire). */
  instanceId: string;
  /** How long the database keeps a lease its instance stopped renewing. */
  ttlMs: number;
  /** Settled spend is written back at most this long after it settles (default 50 ms). */
  writeBackMs?: number;
  /** Monotonic milliseconds (default performance.now). */
  now?: () => number;
  /** Where a shortage is signalled to the other instances (their runtimes pass it to shortageSignalled). */
  changes?: Pick<ChangeFeed, 'publish'>;
  logger?: Logger;
}

/** The instance stops using a lease at this fraction of its TTL after the renewal was sent. */
const LOCAL_VALIDITY = 0.9;
/** A request that keeps losing its granted room to concurrent requests is refused after this many syncs. */
const MAX_SYNCS_PER_REQUEST = 5;

export interface BudgetLeaseStats {
  leases: number;
  leasedMicro: bigint;
  reservedMicro: bigint;
  syncFailing: boolean;
}

interface Demand {
  state: LeaseState;
  /** What the request needs on this budget in all; the sync asks for what the room then lacks. */
  needed: bigint;
}

export class LeasedBudgetLedger implements BudgetLedger {
  private readonly states = new Map<string, LeaseState>();
  private readonly syncs: GroupCommit<Demand[] | null, Grant[]>;
  private readonly now: () => number;
  private readonly writeBackMs: number;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private writeBack: ReturnType<typeof setTimeout> | null = null;
  private failing = false;
  private stopped = false;

  constructor(private readonly options: LeasedBudgetLedgerOptions) {
    this.now = options.now ?? (() => performance.now());
    this.writeBackMs = options.writeBackMs ?? 50;
    this.syncs = new GroupCommit((batch) => this.sync(batch));
    this.heartbeat = setInterval(() => this.background(), Math.max(10, Math.floor(options.ttlMs / 4)));
    this.heartbeat.unref();
  }

  /** For metrics: budgets with a live lease, what they hold and reserve (micro-USD), and whether syncs are failing. */
  stats(): BudgetLeaseStats {
    const now = this.now();
    const stats: BudgetLeaseStats = { leases: 0, leasedMicro: 0n, reservedMicro: 0n, syncFailing: this.failing };
    for (const state of this.states.values()) {
      if (state.validUntil <= now) continue;
      stats.leases += 1;
      stats.leasedMicro += state.lease;
      stats.reservedMicro += state.reserved;
    }
    return stats;
  }

  async reserve(claims: readonly BudgetClaim[], cost: bigint): Promise<BudgetRefusal | null> {
    if (claims.length === 0) return null;
    // A request whose price is unknown (0) still needs something left of the budget.
    const needed = cost > 0n ? cost : 1n;
    const states = claims.map((claim) => this.stateOf(claim));
    if (this.takeIfRoom(states, cost, needed)) return null;
    // While it waits, no sync gives back room it was granted on one budget as idle (it may be
    // waiting for another of its budgets).
    for (const state of states) state.waiting++;
    try {
      return await this.reserveAfterSync(claims, states, cost, needed);
    } finally {
      for (const state of states) state.waiting--;
    }
  }

  private async reserveAfterSync(claims: readonly BudgetClaim[], states: LeaseState[], cost: bigint, needed: bigint): Promise<BudgetRefusal | null> {
    let shortageSince: number | null = null;
    let retryMs = SHORTAGE_FIRST_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      if (this.takeIfRoom(states, cost, needed)) return null;
      const now = this.now();
      const short = states.filter((state) => roomOf(state, now) < needed);
      if (attempt >= MAX_SYNCS_PER_REQUEST) return this.refusal(claims, states, short[0]!);
      // The slice this budget's instance holds grows with the requests it sees, refused ones too.
      for (const state of short) if (needed > state.windowMaxCost) state.windowMaxCost = needed;
      const grants = await this.syncs.submit(short.map((state) => ({ state, needed })));
      const refused = grants.indexOf('refused');
      if (refused >= 0) return this.refusal(claims, states, short[refused]!);
      const stranded = short.filter((_, index) => grants[index] === 'stranded');
      if (stranded.length === 0) continue;
      // Room stranded in other instances' leases: ask them for it and retry while they give it back.
      const waited = shortageSince === null ? 0 : this.now() - shortageSince;
      if (waited + retryMs > SHORTAGE_WAIT_MS) return this.refusal(claims, states, stranded[0]!);
      if (shortageSince === null) {
        shortageSince = this.now();
        this.signalShortage(stranded);
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs *= 2;
      attempt--;
    }
  }

  /** Another instance needs the last cents of a budget: give back this instance's idle room on it now. */
  shortageSignalled(id: string): void {
    const shortage = parseShortage(id);
    if (!shortage || shortage.instanceId === this.options.instanceId) return;
    const state = this.states.get(keyOf(shortage.key));
    if (!state || this.stopped) return;
    state.shortageUntil = this.now() + SHORTAGE_HOLD_MS;
    this.background();
  }

  private signalShortage(states: LeaseState[]): void {
    const changes = this.options.changes;
    if (!changes) return;
    for (const { key } of states) {
      changes.publish(BUDGET_SHORTAGE_TOPIC, shortageId(this.options.instanceId, key)).catch((error: unknown) => this.logger.warn(`metering: budget shortage could not be signalled: ${(error as Error).message}`));
    }
  }

  async settle(claims: readonly BudgetClaim[], reserved: bigint, actual: bigint): Promise<void> {
    for (const claim of claims) {
      const state = this.states.get(keyOf(claim));
      if (!state) continue;
      state.reserved -= reserved;
      state.pending += actual;
    }
    this.writeBack ??= setTimeout(() => {
      this.writeBack = null;
      this.background();
    }, this.writeBackMs);
  }

  async spend(claims: ReadonlyArray<SpendKey>): Promise<BudgetSpend[]> {
    const stored = await this.options.store.spend(claims);
    // This instance's settled spend counts at once, before it is written back.
    return stored.map((spend, index) => ({ ...spend, spentMicro: spend.spentMicro + (this.states.get(keyOf(claims[index]!))?.pending ?? 0n) }));
  }

  /** Writes back settled spend and returns every lease's unused room; call after requests drained. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.heartbeat);
    if (this.writeBack) clearTimeout(this.writeBack);
    try {
      await this.syncs.submit(null);
    } catch (error) {
      this.logger.warn(`metering: budget leases could not be returned on stop (they expire within ${this.options.ttlMs} ms): ${(error as Error).message}`);
    }
  }

  private stateOf(claim: BudgetClaim): LeaseState {
    const id = keyOf(claim);
    let state = this.states.get(id);
    if (!state) {
      state = newLeaseState(claim, this.now());
      this.states.set(id, state);
    }
    state.limit = claim.amountMicro;
    return state;
  }

  /** Reserves `cost` on every budget if each has the room, and starts a top-up when one runs low. */
  private takeIfRoom(states: LeaseState[], cost: bigint, needed: bigint): boolean {
    const now = this.now();
    if (states.some((state) => roomOf(state, now) < needed)) return false;
    for (const state of states) take(state, cost, now);
    if (states.some((state) => roomOf(state, now) * 2n < state.slice)) this.background();
    return true;
  }

  private refusal(claims: readonly BudgetClaim[], states: LeaseState[], state: LeaseState): BudgetRefusal {
    const claim = claims[states.indexOf(state)]!;
    return { claim, spentMicro: state.spentSeen + state.pending, reservedMicro: state.reserved + state.leasedByOthers };
  }

  /** Starts a sync unless nothing needs one; failures are logged (requests that need the database see them). */
  private background(): void {
    if (this.stopped || !this.needsSync(this.now())) return;
    this.syncs.submit(null).catch(() => undefined);
  }

  private needsSync(now: number): boolean {
    for (const state of this.states.values()) if (needsAttention(state, now, this.options.ttlMs)) return true;
    return false;
  }

  private async sync(batch: Array<Demand[] | null>): Promise<Grant[][]> {
    // Requests granted room by the previous sync take it before this one decides what is unused.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = this.now();
    const demands = new Map<LeaseState, bigint[]>();
    // The room as it is now (a sync queued behind this one may have topped it up): the first
    // demands on a budget use it, the rest ask the database for what they lack.
    const roomLeft = new Map<LeaseState, bigint>();
    const positions: Array<Array<[LeaseState, number]>> = batch.map((request) =>
      (request ?? []).map(({ state, needed }) => {
        const list = demands.get(state) ?? demands.set(state, []).get(state)!;
        const room = roomLeft.get(state) ?? max(roomOf(state, now), 0n);
        const used = needed < room ? needed : room;
        roomLeft.set(state, room - used);
        list.push(needed - used);
        return [state, list.length - 1];
      }),
    );
    const stopping = this.stopped;
    const chosen = [...this.states.values()].filter((state) => demands.has(state) || stopping || needsAttention(state, now, this.options.ttlMs));
    const items: LeaseSyncItem[] = [];
    const released: bigint[] = [];
    for (const state of chosen) {
      const room = roomOf(state, now);
      const idle = stopping || (state.reserved === 0n && state.pending === 0n && now - state.lastUsed > this.options.ttlMs && !demands.has(state));
      const valid = now < state.validUntil;
      const shortage = now < state.shortageUntil && !demands.has(state) && state.waiting === 0;
      // Room given back leaves this instance's accounting now, before the database hears of it.
      const excess = !demands.has(state) && state.waiting === 0 && room > 2n * state.slice;
      const release = !valid || room <= 0n ? 0n : idle || shortage ? room : excess ? room - state.slice : 0n;
      state.lease -= release;
      released.push(release);
      items.push({
        key: state.key,
        limit: state.limit,
        moved: state.pending,
        release,
        reserved: state.reserved,
        demands: demands.get(state) ?? [],
        topUp: !idle,
        sliceWanted: now < state.shortageUntil ? 0n : sliceWanted(state, now),
      });
    }
    if (items.length === 0) return batch.map(() => []);
    let results: LeaseSyncResult[];
    try {
      results = await this.options.store.sync(this.options.instanceId, this.options.ttlMs, items);
    } catch (error) {
      chosen.forEach((state, index) => (state.lease += released[index]!));
      if (!this.failing) this.logger.warn(`metering: budget lease sync failed, leases stay usable until they lapse: ${(error as Error).message}`);
      this.failing = true;
      this.reportLapses();
      throw error;
    }
    if (this.failing) this.logger.info('metering: budget lease sync succeeded again');
    this.failing = false;
    chosen.forEach((state, index) => {
      const result = results[index]!;
      state.pending -= items[index]!.moved;
      state.lease = result.lease;
      state.validUntil = result.lease > 0n ? now + this.options.ttlMs * LOCAL_VALIDITY : 0;
      state.slice = result.slice;
      state.spentSeen = result.spent;
      state.leasedByOthers = result.leasedByOthers;
      if (!items[index]!.topUp && state.reserved === 0n && state.pending === 0n && result.lease === 0n) this.states.delete(keyOf(state.key));
    });
    const grantsOf = new Map(chosen.map((state, index) => [state, results[index]!.grants]));
    return positions.map((list) => list.map(([state, position]) => grantsOf.get(state)![position]!));
  }

  private reportLapses(): void {
    const now = this.now();
    const lapsed = [...this.states.values()].filter((state) => state.validUntil > 0 && state.validUntil <= now);
    if (lapsed.length === 0) return;
    for (const state of lapsed) state.validUntil = 0;
    this.logger.error(`metering: budget leases lapsed, the database could not be reached to renew them: ${lapsed.length}`);
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }
}
