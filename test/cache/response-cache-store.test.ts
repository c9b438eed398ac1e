// The response cache stores' size limit: beyond `maxTotalBytes` the oldest entries go first, on
// PGlite, on Postgres (TEST_DATABASE_URL) and on Redis (TEST_REDIS_URL, under a prefix of its own
// so that its tiny limit evicts nothing of other suites).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResponseCacheEntry, ResponseCacheStore } from '../../src/core/cache/response-cache-store.ts';
import type { Database } from '../../src/db/client.ts';
import { createPostgresResponseCacheStore } from '../../src/db/response-cache-store.ts';
import { createRedisResponseCacheStore } from '../../src/redis/response-cache-store.ts';
import { databaseCases } from '../helpers/databases.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';

const ENTRY_BYTES = 1000;
const MAX_TOTAL_BYTES = 3500;

interface StoreCase {
  name: string;
  redis: boolean;
  open(): Promise<{ store: ResponseCacheStore; close(): Promise<void> }>;
}

const storeCases: StoreCase[] = [
  ...databaseCases.map((databaseCase) => ({
    name: databaseCase.name,
    redis: false,
    async open() {
      const database: Database = await databaseCase.open();
      await database.migrate();
      // Trim after every write, so that the limit holds as soon as `set` resolves.
      const store = createPostgresResponseCacheStore(database.db, { maxTotalBytes: MAX_TOTAL_BYTES, trimIntervalMs: 0 });
      return { store, close: () => database.close() };
    },
  })),
  ...(testRedisUrl
    ? [
        {
          name: 'redis',
          redis: true,
          async open() {
            const store = createRedisResponseCacheStore(testRedisUrl!, { maxTotalBytes: MAX_TOTAL_BYTES, keyPrefix: `modelgraph-test:${randomBytes(6).toString('hex')}:` });
            return { store, close: async () => store.close?.() };
          },
        },
      ]
    : []),
];

describe.each(storeCases)('response cache store size limit ($name)', (storeCase) => {
  if (storeCase.redis) markRedisSuiteRan(import.meta.url);
  let store: ResponseCacheStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await storeCase.open());
  });
  afterAll(async () => {
    await store?.purge({});
    await close?.();
  });

  const base = Date.now();
  const entry = (name: string, createdAt: number, bytes = ENTRY_BYTES): ResponseCacheEntry => ({
    key: name,
    teamId: null,
    keyId: null,
    model: 'gpt-test',
    kind: 'chat',
    body: name.padEnd(bytes, '.'),
    createdAt,
    expiresAt: createdAt + 600_000,
  });
  const present = async (names: string[], now: number) => Promise.all(names.map(async (name) => (await store.get(name, now)) !== null));

  it('keeps every entry while the total is within the limit', async () => {
    await store.purge({});
    for (const [i, name] of ['a', 'b', 'c'].entries()) await store.set(entry(name, base + i));
    expect(await present(['a', 'b', 'c'], base + 10)).toEqual([true, true, true]);
  });

  it('evicts the oldest entries first when a write takes the total beyond the limit', async () => {
    await store.purge({});
    // Written out of creation order: age, not the order of writes, decides.
    await store.set(entry('second', base + 2));
    await store.set(entry('first', base + 1));
    await store.set(entry('third', base + 3));
    await store.set(entry('fourth', base + 4));
    expect(await present(['first', 'second', 'third', 'fourth'], base + 10)).toEqual([false, true, true, true]);
    // An entry twice the size makes room by evicting the two oldest left.
    await store.set(entry('big', base + 5, 2 * ENTRY_BYTES));
    expect(await present(['second', 'third', 'fourth', 'big'], base + 10)).toEqual([false, false, true, true]);
  });

  it('counts a replaced entry once: rewriting the same key does not evict the others', async () => {
    await store.purge({});
    for (const [i, name] of ['x', 'y', 'z'].entries()) await store.set(entry(name, base + 20 + i));
    for (let i = 0; i < 3; i++) await store.set(entry('z', base + 30 + i));
    expect(await present(['x', 'y', 'z'], base + 40)).toEqual([true, true, true]);
  });
});
