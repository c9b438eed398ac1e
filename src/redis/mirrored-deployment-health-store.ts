// The shared deployment health (Redis) read through a local mirror, so routing a request costs no
// Redis round trip of its own (issue #18): the rate-limit script is then the only one before the
// upstream call. The mirror holds each deployment's last read state:
// - an entry younger than `refreshMs` is used as it is;
// - an older one is still used, and re-read in the background (one pipeline for all such entries);
// - an unknown one, one older than `maxStaleMs` (an idle gateway), or one this instance changed
//   (a failure, a success, a probe: rare, and the next request must see them) is read before
//   routing, as without the mirror.
// This instance's own request and token counts are added to the mirror as they are recorded, so its
// rpm/tpm caps stay exact for what it sent; other instances' counts and cooldowns arrive within
// `refreshMs` of this instance's next request. Reads and writes share one Redis connection, which
// runs commands in order: a read sent after a count was sent includes it, which is how a refresh
// knows which local counts it already holds.
import { countInMinute, healthy, minuteOf, type DeploymentHealth, type DeploymentHealthStore, type HealthQuery, type MinuteCounts } from '../core/router/deployment-health-store.ts';
import type { CooldownPolicy } from '../core/router/router-settings.ts';

export interface MirrorOptions {
  /** Entries older than this are re-read in the background (default 250 ms). */
  refreshMs?: number;
  /** Entries older than this are re-read before routing (default 2 s). */
  maxStaleMs?: number;
}

interface Entry {
  state: DeploymentHealth;
  /** The caller's clock when `state` was read. */
  readAt: number;
  /** Counts recorded here since `state` was read (for `local.minute`). */
  local: MinuteCounts;
  /** This instance changed the breaker: read again before the next use. */
  changed: boolean;
  refreshing: boolean;
}

export class MirroredDeploymentHealthStore implements DeploymentHealthStore {
  private readonly entries = new Map<string, Entry>();
  private readonly refreshMs: number;
  private readonly maxStaleMs: number;

  constructor(
    private readonly source: DeploymentHealthStore,
    options: MirrorOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 250;
    this.maxStaleMs = options.maxStaleMs ?? 2000;
  }

  async read(queries: readonly HealthQuery[], now: number): Promise<DeploymentHealth[]> {
    let mustRead = false;
    let stale: HealthQuery[] | null = null;
    for (const query of queries) {
      const entry = this.entries.get(query.id);
      if (!entry || entry.changed || now - entry.readAt >= this.maxStaleMs || now < entry.readAt) {
        mustRead = true;
        break;
      }
      if (now - entry.readAt >= this.refreshMs && !entry.refreshing) (stale ??= []).push(query);
    }
    if (mustRead) {
      await this.refresh(queries, now);
    } else if (stale) {
      // In the background: this request routes on what the mirror holds.
      void this.refresh(stale, now).catch(() => undefined);
    }
    return queries.map(({ id }) => this.view(id, now));
  }

  async recordFailure(id: string, now: number, policy: CooldownPolicy): Promise<void> {
    this.markChanged(id);
    await this.source.recordFailure(id, now, policy);
  }

  async recordSuccess(id: string, now: number): Promise<void> {
    this.markChanged(id);
    await this.source.recordSuccess(id, now);
  }

  async claimProbe(id: string, now: number, leaseMs: number): Promise<boolean> {
    this.markChanged(id);
    return this.source.claimProbe(id, now, leaseMs);
  }

  recordUsage(id: string, now: number, requests: number, tokens: number): Promise<void> {
    // Sent first, so that a read sent after it (on the same connection) includes it.
    const sent = this.source.recordUsage(id, now, requests, tokens);
    const entry = this.entries.get(id);
    if (entry) countInMinute(entry.local, now, requests, tokens);
    return sent;
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }

  private markChanged(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.changed = true;
  }

  /** Reads `queries` from the source; local counts recorded before the read was sent are in what it returns. */
  private async refresh(queries: readonly HealthQuery[], now: number): Promise<void> {
    const sentBefore = queries.map(({ id }) => {
      const entry = this.entries.get(id);
      if (entry) {
        entry.refreshing = true;
        entry.changed = false;
      }
      return entry ? { ...entry.local } : null;
    });
    let states: DeploymentHealth[];
    try {
      states = await this.source.read(queries, now);
    } catch (error) {
      for (const { id } of queries) {
        const entry = this.entries.get(id);
        if (entry) entry.refreshing = false;
      }
      throw error;
    }
    const minute = minuteOf(now);
    queries.forEach(({ id }, index) => {
      const state = states[index] ?? healthy();
      const entry = this.entries.get(id);
      const before = sentBefore[index] ?? null;
      if (!entry) {
        this.entries.set(id, { state, readAt: now, local: { minute, requests: 0, tokens: 0 }, changed: false, refreshing: false });
        return;
      }
      // Counts recorded while the read was under way are not in it: they stay local until the next one.
      const { local } = entry;
      const current = local.minute === minute;
      const sent = before !== null && before.minute === local.minute ? before : { requests: 0, tokens: 0 };
      local.requests = current ? local.requests - sent.requests : 0;
      local.tokens = current ? local.tokens - sent.tokens : 0;
      local.minute = minute;
      entry.state = state;
      entry.readAt = now;
      entry.refreshing = false;
    });
  }

  private view(id: string, now: number): DeploymentHealth {
    const entry = this.entries.get(id);
    if (!entry) return healthy();
    const minute = minuteOf(now);
    const stateCurrent = minuteOf(entry.readAt) === minute;
    const localCurrent = entry.local.minute === minute;
    return {
      ...entry.state,
      requestsThisMinute: (stateCurrent ? entry.state.requestsThisMinute : 0) + (localCurrent ? entry.local.requests : 0),
      tokensThisMinute: (stateCurrent ? entry.state.tokensThisMinute : 0) + (localCurrent ? entry.local.tokens : 0),
    };
  }
}
