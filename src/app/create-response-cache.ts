// Part of the composition root (used only by app.ts): the response cache from `cache` in the
// config, on Redis when REDIS_URL is set (unless `cache.store: database`), else on the database.
import type { CacheConfig } from '../config/cache-schema.ts';
import { ResponseCache, type CacheLookupResult } from '../core/cache/response-cache.ts';
import type { ResponseCacheStore } from '../core/cache/response-cache-store.ts';
import type { Clock, Logger } from '../core/ports.ts';
import type { Database } from '../db/client.ts';
import { createPostgresResponseCacheStore } from '../db/response-cache-store.ts';

export interface ResponseCacheRuntime {
  cache: ResponseCache;
  close(): Promise<void>;
}

export async function createResponseCache(options: {
  config: CacheConfig;
  redisUrl: string | undefined;
  database: Database;
  clock: Clock;
  logger: Logger;
  onLookup?: (result: CacheLookupResult) => void;
  /** Tests: a store of their own (a failing one). */
  store?: ResponseCacheStore;
}): Promise<ResponseCacheRuntime | undefined> {
  const { config } = options;
  if (!config.enabled) return undefined;
  const useRedis = options.redisUrl !== undefined && config.store !== 'database';
  if (config.store === 'redis' && !options.redisUrl) throw new Error('cache.store is "redis" but REDIS_URL is not set');
  const store =
    options.store ??
    (useRedis
      ? (await import('../redis/response-cache-store.ts')).createRedisResponseCacheStore(options.redisUrl!, { maxTotalBytes: config.maxTotalBytes })
      : createPostgresResponseCacheStore(options.database.db, { maxTotalBytes: config.maxTotalBytes }));
  options.logger.info(`response cache on ${options.store ? 'a given store' : useRedis ? 'Redis' : 'the database'}`);
  const cache = new ResponseCache({
    store,
    clock: options.clock,
    logger: options.logger,
    settings: {
      enabled: true,
      defaultTtlSeconds: config.defaultTtlSeconds ?? null,
      maxTtlSeconds: config.maxTtlSeconds,
      sharedAcrossTeams: config.sharedAcrossTeams,
      maxEntryBytes: config.maxEntryBytes,
      hitCostFraction: config.hitCostFraction,
      storeTimeoutMs: config.storeTimeoutMs,
      coalesceWaitMs: config.coalesceWaitMs,
      memoryEntries: config.memoryEntries,
      memoryMaxAgeMs: config.memoryMaxAgeMs,
    },
    ...(options.onLookup ? { onLookup: options.onLookup } : {}),
  });
  return { cache, close: async () => store.close?.() };
}
