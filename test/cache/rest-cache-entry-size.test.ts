// `cache.maxEntryBytes` over real HTTP, on each store: an answer larger than it is not stored, so
// the next identical request is a miss that calls the upstream again; a smaller one is a hit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markRedisSuiteRan } from '../helpers/redis-suite.ts';
import type { RestTestContext } from '../http/rest-test-app.ts';
import { cacheCases, chatBody, postChat, startCacheTestApp } from './cache-test-app.ts';

const MAX_ENTRY_BYTES = 4000;

describe.each(cacheCases)('response cache entry size limit ($name)', (cacheCase) => {
  if (cacheCase.redisUrl) markRedisSuiteRan(import.meta.url);
  let context: RestTestContext;
  beforeAll(async () => {
    context = await startCacheTestApp(cacheCase, { maxEntryBytes: MAX_ENTRY_BYTES });
  });
  afterAll(async () => context?.stop());

  const headers = { 'x-modelgraph-cache-ttl': '60' };
  const twice = async (body: unknown) => {
    const before = context.openai.requests.length;
    const first = await postChat(context, body, headers);
    // The answer is written off the request path.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await postChat(context, body, headers);
    return { statuses: [first.status, second.status], caches: [first.cache, second.cache], upstreamCalls: context.openai.requests.length - before };
  };

  it('stores an answer within the limit: the next identical request is a hit', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['short', ' answer'], usage: { input: 10, output: 2 } });
    expect(await twice(chatBody('small entry'))).toEqual({ statuses: [200, 200], caches: ['miss', 'hit'], upstreamCalls: 1 });
  });

  it('does not store an answer larger than maxEntryBytes: the next identical request is a miss', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['x'.repeat(MAX_ENTRY_BYTES), ' too long to keep'], usage: { input: 10, output: 2000 } });
    expect(await twice(chatBody('large entry'))).toEqual({ statuses: [200, 200], caches: ['miss', 'miss'], upstreamCalls: 2 });
  });
});
