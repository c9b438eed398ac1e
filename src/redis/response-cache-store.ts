// The response cache on Redis (when REDIS_URL is set): each entry a string with its TTL (PX), plus
// an index shared by every instance: entries by creation time (eviction, oldest first), by expiry
// (their sizes leave the total when they lapse), their sizes and their owners (purges). A write is
// one Lua script (atomic): it forgets lapsed entries, stores the new one and evicts the oldest
// until the total is within `maxTotalBytes`.
import { Redis, type RedisOptions } from 'ioredis';
import type { ResponseCacheEntry, ResponseCacheStore } from '../core/cache/response-cache-store.ts';

const DEFAULT_PREFIX = 'modelgraph:response-cache:';

// KEYS: by-creation, by-expiry, sizes, owners, total. ARGV: entry prefix, key, body, ttl ms,
// created at, expires at, size, owner JSON, max total bytes.
const SET = `
local function forget(k)
  local size = tonumber(redis.call('HGET', KEYS[3], k) or '0')
  redis.call('HDEL', KEYS[3], k)
  redis.call('HDEL', KEYS[4], k)
  redis.call('ZREM', KEYS[1], k)
  redis.call('ZREM', KEYS[2], k)
  redis.call('DECRBY', KEYS[5], size)
end
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])) do forget(k) end
forget(ARGV[2])
redis.call('SET', ARGV[1] .. ARGV[2], ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[7])
redis.call('HSET', KEYS[4], ARGV[2], ARGV[8])
local total = redis.call('INCRBY', KEYS[5], ARGV[7])
local limit = tonumber(ARGV[9])
while total > limit do
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if not oldest then break end
  redis.call('DEL', ARGV[1] .. oldest)
  forget(oldest)
  total = tonumber(redis.call('GET', KEYS[5]) or '0')
end
return total
`;

interface Owner {
  teamId: string | null;
  keyId: string | null;
  model: string;
}

type CacheRedis = Redis & {
  modelgraphResponseCacheSet(...args: Array<string | number>): Promise<number>;
};

export interface RedisResponseCacheOptions {
  maxTotalBytes: number;
  redis?: RedisOptions;
  /** The prefix of every key the store uses (tests: one of their own, so that their limits evict only their entries). */
  keyPrefix?: string;
}

export function createRedisResponseCacheStore(url: string, options: RedisResponseCacheOptions): ResponseCacheStore {
  const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
  const ENTRY = `${prefix}entry:`;
  const BY_CREATION = `${prefix}by-creation`;
  const BY_EXPIRY = `${prefix}by-expiry`;
  const SIZES = `${prefix}sizes`;
  const OWNERS = `${prefix}owners`;
  const TOTAL = `${prefix}total-bytes`;
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, enableAutoPipelining: true, ...options.redis }) as CacheRedis;
  redis.defineCommand('modelgraphResponseCacheSet', { lua: SET, numberOfKeys: 5 });
  // Failures are the cache's to report (as misses); ioredis would also print each one.
  redis.on('error', () => undefined);
  return {
    async get(key, now) {
      // One round trip: the body and its remaining time.
      const replies = await redis.multi().get(ENTRY + key).pttl(ENTRY + key).exec();
      const body = replies?.[0]?.[1] as string | null | undefined;
      const remainingMs = Number(replies?.[1]?.[1]);
      if (body == null || !(remainingMs > 0)) return null;
      return { body, expiresAt: now + remainingMs };
    },
    async set(entry: ResponseCacheEntry) {
      const owner: Owner = { teamId: entry.teamId, keyId: entry.keyId, model: entry.model };
      await redis.modelgraphResponseCacheSet(
        BY_CREATION,
        BY_EXPIRY,
        SIZES,
        OWNERS,
        TOTAL,
        ENTRY,
        entry.key,
        entry.body,
        Math.max(1, entry.expiresAt - entry.createdAt),
        entry.createdAt,
        entry.expiresAt,
        Buffer.byteLength(entry.body),
        JSON.stringify(owner),
        options.maxTotalBytes,
      );
    },
    async purge(filter) {
      const owners = await redis.hgetall(OWNERS);
      const matching = Object.entries(owners)
        .filter(([, text]) => {
          const owner = JSON.parse(text) as Owner;
          return (
            (filter.teamId === undefined || owner.teamId === filter.teamId) &&
            (filter.keyId === undefined || owner.keyId === filter.keyId) &&
            (filter.model === undefined || owner.model === filter.model)
          );
        })
        .map(([key]) => key);
      if (matching.length === 0) return 0;
      // Entries that lapsed already are no longer there: count only what was deleted.
      const deleted = await redis.del(...matching.map((key) => ENTRY + key));
      const sizes = (await redis.hmget(SIZES, ...matching)).reduce((sum, size) => sum + Number(size ?? 0), 0);
      await redis
        .multi()
        .zrem(BY_CREATION, ...matching)
        .zrem(BY_EXPIRY, ...matching)
        .hdel(SIZES, ...matching)
        .hdel(OWNERS, ...matching)
        .decrby(TOTAL, sizes)
        .exec();
      return deleted;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
