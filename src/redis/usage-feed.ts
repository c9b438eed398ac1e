// The live usage feed: each committed batch of usage records is published once and delivered to
// every `usageEvents` subscription. With Redis, through Redis pub/sub on one channel (ioredis, one
// publishing and one subscribed connection), so a subscriber on one instance sees every
// instance's records; without it, in-process. Records travel as JSON (bigint and Date as strings).
// ioredis is loaded only when Redis is configured (about 10 MB resident). Live delivery is best
// effort: while Redis is down, batches are not delivered live (they are in the database).
import type { Redis } from 'ioredis';
import type { UsageFeed, UsageRecord } from '../core/metering/metering-ports.ts';
import { UsageFanOut } from '../core/metering/usage-fan-out.ts';

const CHANNEL = 'modelgraph:usage-events';

type WireRecord = Omit<UsageRecord, 'cost' | 'createdAt'> & { cost: string; createdAt: string };

const toWire = (record: UsageRecord): WireRecord => ({ ...record, cost: record.cost.toString(), createdAt: record.createdAt.toISOString() });
const fromWire = (record: WireRecord): UsageRecord => ({ ...record, cost: BigInt(record.cost), createdAt: new Date(record.createdAt) });

export async function createUsageFeed(redisUrl: string | undefined): Promise<UsageFeed> {
  const fanOut = new UsageFanOut();
  if (!redisUrl) {
    return {
      publish: (records) => {
        if (records.length > 0) fanOut.deliver(records);
      },
      subscribe: () => fanOut.subscribe(),
      close: async () => fanOut.close(),
    };
  }
  const { Redis } = await import('ioredis');
  const connect = (): Redis => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
    redis.on('error', () => undefined);
    return redis;
  };
  const publisher = connect();
  const subscriber = connect();
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CHANNEL || fanOut.subscriberCount === 0) return;
    try {
      fanOut.deliver((JSON.parse(message) as WireRecord[]).map(fromWire));
    } catch {
      // A message that is not a batch of ours: ignored.
    }
  });
  // Subscribed before the feed is handed out (bounded: Redis down must not hold up start-up);
  // ioredis re-subscribes by itself after a reconnect.
  const subscribed = subscriber.subscribe(CHANNEL).catch(() => undefined);
  await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  return {
    publish(records) {
      if (records.length > 0) publisher.publish(CHANNEL, JSON.stringify(records.map(toWire))).catch(() => undefined);
    },
    subscribe: () => fanOut.subscribe(),
    async close() {
      fanOut.close();
      await Promise.all([publisher, subscriber].map((redis) => redis.quit().catch(() => redis.disconnect())));
    },
  };
}
