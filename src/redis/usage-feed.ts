// The live usage feed: each committed batch of usage records is published once and delivered to
// every `usageEvents` subscription. With Redis, through Redis pub/sub (graphql-yoga's PubSub on
// @graphql-yoga/redis-event-target), so a subscriber on one instance sees every instance's
// records; without it, in-process. Records travel as JSON (bigint and Date as strings).
// ioredis and the event target are loaded only when Redis is configured (about 10 MB resident).
import { createPubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { UsageRecord } from '../core/metering.ts';
import type { UsageFeed } from '../core/metering/usage-feed.ts';

const TOPIC = 'modelgraph:usage-events';

type WireRecord = Omit<UsageRecord, 'cost' | 'createdAt'> & { cost: string; createdAt: string };

const toWire = (record: UsageRecord): WireRecord => ({ ...record, cost: record.cost.toString(), createdAt: record.createdAt.toISOString() });
const fromWire = (record: WireRecord): UsageRecord => ({ ...record, cost: BigInt(record.cost), createdAt: new Date(record.createdAt) });

export async function createUsageFeed(redisUrl: string | undefined): Promise<UsageFeed> {
  const clients: Redis[] = [];
  let eventTarget;
  if (redisUrl) {
    const [{ Redis }, { createRedisEventTarget }] = await Promise.all([import('ioredis'), import('@graphql-yoga/redis-event-target')]);
    for (let i = 0; i < 2; i++) {
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableAutoPipelining: true });
      redis.on('error', () => undefined);
      clients.push(redis);
    }
    eventTarget = createRedisEventTarget({ publishClient: quiet(clients[0]!), subscribeClient: quiet(clients[1]!) });
  }
  const pubSub = createPubSub<{ [TOPIC]: [batch: WireRecord[]] }>(eventTarget ? { eventTarget } : {});
  return {
    publish(records) {
      if (records.length > 0) pubSub.publish(TOPIC, records.map(toWire));
    },
    async *subscribe() {
      for await (const batch of pubSub.subscribe(TOPIC)) {
        for (const record of batch) yield fromWire(record);
      }
    },
    async close() {
      await Promise.all(clients.map((redis) => redis.quit().catch(() => redis.disconnect())));
    },
  };
}

/**
 * The event target does not await publish/subscribe: while Redis is down their rejections would be
 * unhandled (and end the process). Live delivery is best effort; the records are in the database.
 */
function quiet(redis: Redis): Redis {
  return new Proxy(redis, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'publish' && property !== 'subscribe' && property !== 'unsubscribe') return value;
      return (...args: unknown[]) => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch(() => undefined);
    },
  });
}
