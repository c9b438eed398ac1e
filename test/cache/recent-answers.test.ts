// The response cache's in-memory tier (core/cache/recent-answers.ts): a repeated request is
// answered without a store read; it follows the entry's TTL and purges made here at once, and a
// purge made on another instance (another ResponseCache over the same store) within
// `memoryMaxAgeMs`; an answer whose write failed is never served from memory.
import { describe, expect, it } from 'vitest';
import type { CachedAnswer } from '../../src/core/cache/cached-answer.ts';
import { ResponseCache, type CacheQuery, type ResponseCacheSettings } from '../../src/core/cache/response-cache.ts';
import type { ResponseCacheEntry, ResponseCacheStore } from '../../src/core/cache/response-cache-store.ts';
import { silentLogger } from '../../src/core/ports.ts';

const settings: ResponseCacheSettings = {
  enabled: true,
  defaultTtlSeconds: null,
  maxTtlSeconds: 3600,
  sharedAcrossTeams: false,
  maxEntryBytes: 1 << 20,
  hitCostFraction: 0,
  storeTimeoutMs: 250,
  coalesceWaitMs: 1000,
  memoryEntries: 100,
  memoryMaxAgeMs: 5000,
};

/** A store in memory that counts its reads and can be told to fail its writes. */
function countingStore() {
  const entries = new Map<string, ResponseCacheEntry>();
  const counts = { reads: 0 };
  const control = { failWrites: false };
  const store: ResponseCacheStore = {
    async get(key, now) {
      counts.reads += 1;
      const entry = entries.get(key);
      return entry && entry.expiresAt > now ? { body: entry.body, expiresAt: entry.expiresAt } : null;
    },
    async set(entry) {
      if (control.failWrites) throw new Error('store down');
      entries.set(entry.key, entry);
    },
    async purge(filter) {
      let deleted = 0;
      for (const [key, entry] of entries) {
        if (filter.model !== undefined && entry.model !== filter.model) continue;
        entries.delete(key);
        deleted += 1;
      }
      return deleted;
    },
  };
  return { store, counts, control };
}

const answer: CachedAnswer = {
  kind: 'chat',
  result: {
    id: 'chatcmpl-1',
    model: 'u',
    text: 'cached words',
    toolCalls: [],
    reasoning: '',
    reasoningBlocks: [],
    finishReason: { unified: 'STOP', raw: 'stop' },
    usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
  },
  usageEstimated: false,
  served: { modelName: 'm', deploymentId: 'd', providerId: 'p', upstreamModel: 'u' },
  cost: '10',
} as CachedAnswer;

const query: CacheQuery = { kind: 'chat', caller: undefined, model: 'm', directives: { ttlSeconds: 2 }, deterministic: false, material: { messages: ['hi'] } };
const signal = new AbortController().signal;

/** Answers `query` through `cache` as a service does: a miss completes with `answer`. */
async function ask(cache: ResponseCache): Promise<'HIT' | 'MISS' | 'BYPASS'> {
  const ticket = (await cache.open(query, signal))!;
  if (ticket.status !== 'HIT') ticket.complete(answer);
  await new Promise((resolve) => setTimeout(resolve, 5));
  return ticket.status;
}

/**
 * Two instances (two ResponseCaches) over one store and one clock the test moves: the first has
 * answered `query` (a miss), the second has then read that answer from the store (a hit).
 */
async function answeredOnTwoInstances() {
  const { store, counts } = countingStore();
  let now = 1_000_000;
  const clock = { now: () => now };
  const first = new ResponseCache({ store, settings, clock, logger: silentLogger });
  const second = new ResponseCache({ store, settings, clock, logger: silentLogger });
  expect(await ask(first)).toBe('MISS');
  expect(await ask(second)).toBe('HIT');
  return { first, second, counts, advanceClock: (ms: number) => (now += ms) };
}

describe('response cache, answers kept in memory', () => {
  it('answers a repeated request from memory, without a store read', async () => {
    const { store, counts } = countingStore();
    const clock = { now: () => 1_000_000 };
    const cache = new ResponseCache({ store, settings, clock, logger: silentLogger });
    expect(await ask(cache)).toBe('MISS');
    const readsAfterMiss = counts.reads;
    for (let index = 0; index < 5; index += 1) expect(await ask(cache)).toBe('HIT');
    expect(counts.reads).toBe(readsAfterMiss);
  });

  it('keeps an answer read from the store, and never past the entry TTL', async () => {
    const { second: reader, counts, advanceClock } = await answeredOnTwoInstances();
    const reads = counts.reads;
    expect(await ask(reader)).toBe('HIT');
    expect(counts.reads).toBe(reads);
    advanceClock(2_000);
    expect(await ask(reader)).toBe('MISS');
  });

  it('forgets purged answers: at once on this instance, within memoryMaxAgeMs on another', async () => {
    const { first: here, second: there, advanceClock } = await answeredOnTwoInstances();
    expect(await here.purge({ model: 'm' })).toBe(1);
    expect(await ask(here)).toBe('MISS');
    await here.purge({ model: 'm' });
    // The other instance still remembers it, for at most memoryMaxAgeMs.
    expect(await ask(there)).toBe('HIT');
    advanceClock(settings.memoryMaxAgeMs);
    expect(await ask(there)).toBe('MISS');
  });

  it('serves nothing from memory for an answer the store did not take', async () => {
    const { store, control } = countingStore();
    control.failWrites = true;
    const cache = new ResponseCache({ store, settings, clock: { now: () => 1_000_000 }, logger: silentLogger });
    expect(await ask(cache)).toBe('MISS');
    expect(await ask(cache)).toBe('MISS');
  });
});
