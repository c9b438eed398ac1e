// The local mirror of the shared deployment health (Redis in production; a counting in-memory
// store here, so each read of the source is seen): routing reads the mirror, fresh entries cost no
// read, older ones are re-read in the background, unknown, too old or locally changed ones are
// read first; this instance's counts show at once and are not counted twice after a refresh.
import { describe, expect, it } from 'vitest';
import { InMemoryDeploymentHealthStore, type HealthQuery } from '../../src/core/router/deployment-health-store.ts';
import { MirroredDeploymentHealthStore } from '../../src/redis/mirrored-deployment-health-store.ts';

const policy = { failures: 1, windowMs: 10_000, cooldownMs: 30_000 };
const T = Math.floor(1_700_000_000_000 / 60_000) * 60_000 + 1_000;
const query: HealthQuery[] = [{ id: 'd', windowMs: policy.windowMs }];

/** The shared store as every instance sees it, counting the reads this instance's mirror makes. */
function sharedStore() {
  const shared = new InMemoryDeploymentHealthStore();
  const reads: number[] = [];
  return {
    shared,
    reads,
    /** The next read waits until the returned function is called. */
    source: {
      ...shared,
      read: async (queries: readonly HealthQuery[], now: number) => {
        reads.push(now);
        return shared.read(queries, now);
      },
      recordFailure: (id: string, now: number, p: typeof policy) => shared.recordFailure(id, now, p),
      recordSuccess: (id: string, now: number) => shared.recordSuccess(id, now),
      claimProbe: (id: string, now: number, leaseMs: number) => shared.claimProbe(id, now, leaseMs),
      recordUsage: (id: string, now: number, requests: number, tokens: number) => shared.recordUsage(id, now, requests, tokens),
    },
  };
}

describe('MirroredDeploymentHealthStore', () => {
  it('reads the source for an unknown deployment, then not while fresh, in the background once stale, first again when too old', async () => {
    const { source, reads } = sharedStore();
    const mirror = new MirroredDeploymentHealthStore(source, { refreshMs: 100, maxStaleMs: 1000 });
    await mirror.read(query, T);
    expect(reads).toEqual([T]);
    await mirror.read(query, T + 99);
    expect(reads).toEqual([T]);
    // Stale: answered from the mirror, re-read behind it (once, however many reads come meanwhile).
    await mirror.read(query, T + 150);
    await mirror.read(query, T + 160);
    expect(reads).toEqual([T, T + 150]);
    await mirror.read(query, T + 150 + 1000);
    expect(reads).toEqual([T, T + 150, T + 1150]);
  });

  it("sees another instance's cooldown at its next read once the mirror is stale, and its own at once", async () => {
    const { source, shared } = sharedStore();
    const mirror = new MirroredDeploymentHealthStore(source, { refreshMs: 100, maxStaleMs: 1000 });
    await mirror.read(query, T);
    await shared.recordFailure('d', T + 10, policy); // another instance
    expect((await mirror.read(query, T + 50))[0]!.cooledUntil).toBeNull();
    // Stale: this read still answers from the mirror and refreshes it; the next one sees the cooldown.
    await mirror.read(query, T + 120);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await mirror.read(query, T + 130))[0]!.cooledUntil).toBe(T + 10 + 30_000);

    await shared.recordSuccess('d', T + 40_000);
    const own = new MirroredDeploymentHealthStore(source, { refreshMs: 100, maxStaleMs: 1000 });
    await own.read(query, T + 40_000);
    await own.recordFailure('d', T + 40_010, policy);
    expect((await own.read(query, T + 40_020))[0]!.cooledUntil).toBe(T + 40_010 + 30_000);
  });

  it("counts this instance's requests and tokens at once, and once only after a refresh", async () => {
    const { source } = sharedStore();
    const mirror = new MirroredDeploymentHealthStore(source, { refreshMs: 100, maxStaleMs: 1000 });
    await mirror.read(query, T);
    await mirror.recordUsage('d', T + 1, 1, 10);
    await mirror.recordUsage('d', T + 2, 1, 20);
    expect((await mirror.read(query, T + 3))[0]).toMatchObject({ requestsThisMinute: 2, tokensThisMinute: 30 });
    // A refresh reads the source, which holds both counts: they are no longer added locally.
    await mirror.read(query, T + 200);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await mirror.read(query, T + 201))[0]).toMatchObject({ requestsThisMinute: 2, tokensThisMinute: 30 });
    await mirror.recordUsage('d', T + 202, 1, 5);
    expect((await mirror.read(query, T + 203))[0]).toMatchObject({ requestsThisMinute: 3, tokensThisMinute: 35 });
    // A new clock minute starts from nothing.
    expect((await mirror.read(query, T + 60_000))[0]).toMatchObject({ requestsThisMinute: 0, tokensThisMinute: 0 });
  });
});
