// The circuit breaker's and the usage counters' state per deployment, behind a port so several
// gateway instances can share it (Redis, src/redis/) or keep it in this process (below).
//
// Breaker: closed -> `failures` failures within `windowMs` -> open until `cooledUntil` (skipped by
// every strategy) -> half-open: one caller claims the probe -> success closes it, failure opens it
// again for another `cooldownMs`. Times are the caller's clock, so tests drive them.
import type { CooldownPolicy } from './router-settings.ts';

export interface DeploymentHealth {
  /** Failures counted within the window (closed breaker). */
  failuresInWindow: number;
  /** Set while the breaker is open or half-open (then it is in the past). */
  cooledUntil: number | null;
  /** A probe holds the half-open deployment until then. */
  probeUntil: number | null;
  /** Usage in the current clock minute, for rpm/tpm caps and the usage-based strategy. */
  requestsThisMinute: number;
  tokensThisMinute: number;
}

export interface HealthQuery {
  id: string;
  windowMs: number;
}

export interface DeploymentHealthStore {
  /** The health of each deployment, in query order. */
  read(queries: readonly HealthQuery[], now: number): Promise<DeploymentHealth[]>;
  /** Counts a failure; opens the breaker at the threshold, or again when a half-open deployment fails. */
  recordFailure(id: string, now: number, policy: CooldownPolicy): Promise<void>;
  /** Closes a half-open breaker (the probe succeeded); a closed or still-open one is left alone. */
  recordSuccess(id: string, now: number): Promise<void>;
  /** Claims the single probe of a half-open deployment for `leaseMs`; false when not half-open or taken. */
  claimProbe(id: string, now: number, leaseMs: number): Promise<boolean>;
  /** Adds to this minute's request and token counts. */
  recordUsage(id: string, now: number, requests: number, tokens: number): Promise<void>;
  close?(): Promise<void>;
}

export const healthy = (): DeploymentHealth => ({
  failuresInWindow: 0,
  cooledUntil: null,
  probeUntil: null,
  requestsThisMinute: 0,
  tokensThisMinute: 0,
});

export const minuteOf = (now: number): number => Math.floor(now / 60_000);

/** Requests and tokens counted in one clock minute. */
export interface MinuteCounts {
  minute: number;
  requests: number;
  tokens: number;
}

/** Adds to the counts of `now`'s minute; the counts of an earlier minute are dropped first. */
export function countInMinute(counts: MinuteCounts, now: number, requests: number, tokens: number): void {
  const minute = minuteOf(now);
  if (counts.minute !== minute) {
    counts.minute = minute;
    counts.requests = 0;
    counts.tokens = 0;
  }
  counts.requests += requests;
  counts.tokens += tokens;
}

interface Entry extends MinuteCounts {
  failures: number[];
  cooledUntil: number | null;
  probeUntil: number | null;
}

/** One process's state; the default when no Redis is configured. */
export class InMemoryDeploymentHealthStore implements DeploymentHealthStore {
  private readonly entries = new Map<string, Entry>();

  private entry(id: string): Entry {
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { failures: [], cooledUntil: null, probeUntil: null, minute: 0, requests: 0, tokens: 0 };
      this.entries.set(id, entry);
    }
    return entry;
  }

  async read(queries: readonly HealthQuery[], now: number): Promise<DeploymentHealth[]> {
    return queries.map(({ id, windowMs }) => {
      const entry = this.entries.get(id);
      if (!entry) return healthy();
      const current = entry.minute === minuteOf(now);
      return {
        failuresInWindow: entry.failures.filter((at) => at > now - windowMs).length,
        cooledUntil: entry.cooledUntil,
        probeUntil: entry.probeUntil,
        requestsThisMinute: current ? entry.requests : 0,
        tokensThisMinute: current ? entry.tokens : 0,
      };
    });
  }

  async recordFailure(id: string, now: number, policy: CooldownPolicy): Promise<void> {
    const entry = this.entry(id);
    if (entry.cooledUntil !== null) {
      // Open: already out of rotation. Half-open: the probe (or a straggler) failed, open again.
      if (entry.cooledUntil <= now) this.open(entry, now, policy);
      return;
    }
    entry.failures = entry.failures.filter((at) => at > now - policy.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= policy.failures) this.open(entry, now, policy);
  }

  private open(entry: Entry, now: number, policy: CooldownPolicy): void {
    entry.cooledUntil = now + policy.cooldownMs;
    entry.probeUntil = null;
    entry.failures = [];
  }

  async recordSuccess(id: string, now: number): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry || entry.cooledUntil === null || entry.cooledUntil > now) return;
    entry.cooledUntil = null;
    entry.probeUntil = null;
    entry.failures = [];
  }

  async claimProbe(id: string, now: number, leaseMs: number): Promise<boolean> {
    const entry = this.entries.get(id);
    if (!entry || entry.cooledUntil === null || entry.cooledUntil > now) return false;
    if (entry.probeUntil !== null && entry.probeUntil > now) return false;
    entry.probeUntil = now + leaseMs;
    return true;
  }

  async recordUsage(id: string, now: number, requests: number, tokens: number): Promise<void> {
    countInMinute(this.entry(id), now, requests, tokens);
  }
}
