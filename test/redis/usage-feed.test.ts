// The live usage feed: in-process delivery to every subscription, a bounded queue for a slow
// subscriber, an immediate end on return(); and with Redis, a batch published on one instance
// reaches subscriptions on another.
import { afterEach, describe, expect, it } from 'vitest';
import type { UsageFeed, UsageRecord } from '../../src/core/metering/metering-ports.ts';
import { UsageFanOut } from '../../src/core/metering/usage-fan-out.ts';
import { createUsageFeed } from '../../src/redis/usage-feed.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';
import { usageRecord } from '../helpers/usage-records.ts';

const record = (id: string): UsageRecord => ({ ...usageRecord(), id });

async function take(iterator: AsyncIterator<UsageRecord>, count: number, ms = 2000): Promise<string[]> {
  const ids: string[] = [];
  const deadline = Date.now() + ms;
  while (ids.length < count) {
    const step = await Promise.race([iterator.next(), new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now())))]);
    if (step === 'late' || step.done) break;
    ids.push(step.value.id);
  }
  return ids;
}

describe('in-process usage fan-out', () => {
  it('delivers every batch to every subscription, in order', async () => {
    const fanOut = new UsageFanOut();
    const first = fanOut.subscribe();
    const second = fanOut.subscribe();
    fanOut.deliver([record('a'), record('b')]);
    fanOut.deliver([record('c')]);
    expect(await take(first, 3)).toEqual(['a', 'b', 'c']);
    expect(await take(second, 3)).toEqual(['a', 'b', 'c']);
  });

  it('ends a waiting subscription at once on return(), and stops queueing for it', async () => {
    const fanOut = new UsageFanOut();
    const subscription = fanOut.subscribe();
    const waiting = subscription.next();
    await subscription.return!();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(fanOut.subscriberCount).toBe(0);
  });

  it('keeps at most maxQueued records for a subscriber that does not read (the newest)', async () => {
    const fanOut = new UsageFanOut(3);
    const subscription = fanOut.subscribe();
    fanOut.deliver(['1', '2', '3', '4', '5'].map(record));
    expect(await take(subscription, 3)).toEqual(['3', '4', '5']);
  });

  it('close() ends every subscription', async () => {
    const fanOut = new UsageFanOut();
    const subscription = fanOut.subscribe();
    const waiting = subscription.next();
    fanOut.close();
    expect((await waiting).done).toBe(true);
  });
});

describe.runIf(testRedisUrl)('usage feed over Redis', () => {
  markRedisSuiteRan(import.meta.url);
  const feeds: UsageFeed[] = [];
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  });

  it('a batch published on one instance reaches subscriptions on both, with bigint cost and dates intact', async () => {
    const a = await createUsageFeed(testRedisUrl);
    const b = await createUsageFeed(testRedisUrl);
    feeds.push(a, b);
    const onA = a.subscribe()[Symbol.asyncIterator]();
    const onB = b.subscribe()[Symbol.asyncIterator]();
    const marker = `feed-${Date.now()}`;
    a.publish([{ ...record(marker), cost: 1_234_567n }]);
    const [fromB, fromA] = await Promise.all([onB.next(), onA.next()]);
    expect(fromB.done).toBe(false);
    expect(fromB.value?.id).toBe(marker);
    expect(fromB.value?.cost).toBe(1_234_567n);
    expect(fromB.value?.createdAt).toBeInstanceOf(Date);
    expect(fromA.value?.id).toBe(marker);
  });
});
