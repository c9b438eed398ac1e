// The response cache over real HTTP: hits and misses, TTL expiry, team isolation, stream and
// non-stream answers from each other, coalescing, the request's directives and the metering of hits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markRedisSuiteRan } from '../helpers/redis-suite.ts';
import { usageFlushed } from '../helpers/metering.ts';
import type { RestTestContext } from '../http/rest-test-app.ts';
import { assembleStream, cacheCases, chatBody, postChat, startCacheTestApp } from './cache-test-app.ts';

const text = (chunks: string[]) => ({ kind: 'text' as const, chunks, usage: { input: 1000, output: 500 } });

describe.each(cacheCases)('response cache over REST ($name)', (cacheCase) => {
  if (cacheCase.redisUrl) markRedisSuiteRan(import.meta.url);
  let context: RestTestContext;
  beforeAll(async () => {
    context = await startCacheTestApp(cacheCase);
    context.openai.setScenario(text(['Hello', ' from', ' upstream']));
  });
  afterAll(async () => context?.stop());

  const upstreamCalls = () => context.openai.requests.length;

  it('answers a repeated request from the cache: miss, then hit with the same body and no upstream call', async () => {
    const body = chatBody('hit and miss');
    const before = upstreamCalls();
    const first = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
    const second = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
    expect([first.status, first.cache, second.status, second.cache]).toEqual([200, 'miss', 200, 'hit']);
    expect(upstreamCalls() - before).toBe(1);
    const [a, b] = [JSON.parse(first.text), JSON.parse(second.text)];
    expect(b.choices).toEqual(a.choices);
    expect({ ...b.usage, cost: undefined }).toEqual({ ...a.usage, cost: undefined });
    expect([a.usage.cost > 0, b.usage.cost]).toEqual([true, 0]);
    expect(b.id).not.toBe(a.id);
  });

  it('is opt-in: without a TTL from the request or the config nothing is cached and no header is sent', async () => {
    const body = chatBody('no ttl');
    const before = upstreamCalls();
    const first = await postChat(context, body);
    const second = await postChat(context, body);
    expect([first.cache, second.cache]).toEqual([null, null]);
    expect(upstreamCalls() - before).toBe(2);
  });

  it('expires an entry after its TTL', async () => {
    const body = chatBody('ttl');
    const before = upstreamCalls();
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '1' })).cache).toBe('miss');
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '1' })).cache).toBe('hit');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '1' })).cache).toBe('miss');
    expect(upstreamCalls() - before).toBe(2);
  });

  it('keeps teams apart: another team, or a key without a team, misses; a key of the same team hits', async () => {
    const teamA = (await context.app.graphql('mutation { createTeam(input: { name: "cache team a" }) { ... on Team { id } } }')).data.createTeam.id;
    const teamB = (await context.app.graphql('mutation { createTeam(input: { name: "cache team b" }) { ... on Team { id } } }')).data.createTeam.id;
    const keyA1 = await context.app.createKey({ name: 'a1', teamId: teamA, scopes: ['INFERENCE'] });
    const keyA2 = await context.app.createKey({ name: 'a2', teamId: teamA, scopes: ['INFERENCE'] });
    const keyB = await context.app.createKey({ name: 'b', teamId: teamB, scopes: ['INFERENCE'] });
    const body = chatBody('teams');
    const headers = { 'x-modelgraph-cache-ttl': '60' };
    expect((await postChat(context, body, headers, keyA1.secret)).cache).toBe('miss');
    expect((await postChat(context, body, headers, keyA2.secret)).cache).toBe('hit');
    expect((await postChat(context, body, headers, keyB.secret)).cache).toBe('miss');
    expect((await postChat(context, body, headers, context.apiKey)).cache).toBe('miss');
  });

  it("takes a default TTL from the key, else from its team (admin mutations), for deterministic requests only", async () => {
    const created = await context.app.graphql('mutation { createTeam(input: { name: "cache ttl team", cacheTtlSeconds: 60 }) { ... on Team { id cacheTtlSeconds } } }');
    const team = created.data.createTeam;
    expect(team.cacheTtlSeconds).toBe(60);
    const teamKey = await context.app.createKey({ name: 'team default', teamId: team.id, scopes: ['INFERENCE'] });
    const ownKey = await context.app.createKey({ name: 'own default', scopes: ['INFERENCE'], cacheTtlSeconds: 60 });
    const plainKey = await context.app.createKey({ name: 'no default', scopes: ['INFERENCE'] });
    const before = upstreamCalls();
    for (const key of [teamKey, ownKey]) {
      const body = chatBody(`default ttl ${key.id}`);
      expect([(await postChat(context, body, {}, key.secret)).cache, (await postChat(context, body, {}, key.secret)).cache]).toEqual(['miss', 'hit']);
      // A sampled request is not frozen by a default: it must ask itself.
      const sampled = chatBody(`sampled ${key.id}`, { temperature: 0.7 });
      expect([(await postChat(context, sampled, {}, key.secret)).cache, (await postChat(context, sampled, {}, key.secret)).cache]).toEqual([null, null]);
    }
    const plain = chatBody('no default');
    expect([(await postChat(context, plain, {}, plainKey.secret)).cache, (await postChat(context, plain, {}, plainKey.secret)).cache]).toEqual([null, null]);
    expect(upstreamCalls() - before).toBe(2 + 4 + 2);
    // Cleared with null: the key's requests are no longer cached.
    const cleared = await context.app.graphql(`mutation { updateApiKey(id: "${ownKey.id}", input: { cacheTtlSeconds: null }) { ... on ApiKey { cacheTtlSeconds } } }`);
    expect(cleared.data.updateApiKey.cacheTtlSeconds).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await postChat(context, chatBody('cleared'), {}, ownKey.secret)).cache).toBeNull();
    const refused = await context.app.graphql('mutation { createTeam(input: { name: "bad ttl", cacheTtlSeconds: 0 }) { __typename ... on GatewayError { code message } } }');
    expect(JSON.stringify(refused)).toContain('cacheTtlSeconds');
  });

  it('replays a non-streamed answer as a stream and a streamed one as a single answer, with identical content', async () => {
    const headers = { 'x-modelgraph-cache-ttl': '60' };
    const nonStreamFirst = chatBody('non-stream first');
    const answer = await postChat(context, nonStreamFirst, headers);
    const replayed = await postChat(context, { ...nonStreamFirst, stream: true }, headers);
    expect([answer.cache, replayed.cache]).toEqual(['miss', 'hit']);
    const message = JSON.parse(answer.text).choices[0];
    expect(assembleStream(replayed.text)).toEqual({ content: message.message.content, toolCalls: [], finish: message.finish_reason, done: true });

    const streamFirst = chatBody('stream first');
    const streamed = await postChat(context, { ...streamFirst, stream: true }, headers);
    const single = await postChat(context, streamFirst, headers);
    expect([streamed.cache, single.cache]).toEqual(['miss', 'hit']);
    const fromStream = assembleStream(streamed.text);
    expect(fromStream.content).toBe('Hello from upstream');
    expect(JSON.parse(single.text).choices[0].message.content).toBe(fromStream.content);
    expect(JSON.parse(single.text).choices[0].finish_reason).toBe(fromStream.finish);
  });

  it('replays tool calls in a stream as the upstream streamed them', async () => {
    context.openai.setScenario({ kind: 'tool-calls', calls: [{ id: 'call_1', name: 'lookup', arguments: '{"city":"Paris"}' }], usage: { input: 10, output: 5 } });
    try {
      const body = chatBody('tools', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }], stream: true });
      const live = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
      const replayed = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
      expect([live.cache, replayed.cache]).toEqual(['miss', 'hit']);
      expect(assembleStream(replayed.text)).toEqual(assembleStream(live.text));
      expect(assembleStream(replayed.text).toolCalls).toEqual([{ id: 'call_1', name: 'lookup', arguments: '{"city":"Paris"}' }]);
    } finally {
      context.openai.setScenario(text(['Hello', ' from', ' upstream']));
    }
  });

  it('follows the request: no-cache skips the lookup but stores, no-store looks up but does not store, LiteLLM body field', async () => {
    const body = chatBody('directives');
    const before = upstreamCalls();
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '60', 'cache-control': 'no-store' })).cache).toBe('miss');
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '60', 'cache-control': 'no-cache' })).cache).toBe('bypass');
    expect((await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' })).cache).toBe('hit');
    expect((await postChat(context, { ...body, cache: { ttl: 60 } })).cache).toBe('hit');
    expect((await postChat(context, { ...body, cache: { ttl: 60, 'no-cache': true } })).cache).toBe('bypass');
    expect(upstreamCalls() - before).toBe(3);
    const bad = await postChat(context, body, { 'x-modelgraph-cache-ttl': 'soon' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.param).toBe('x-modelgraph-cache-ttl');
  });

  it('caches a request that is not deterministic only when it asks itself', async () => {
    const sampled = { ...chatBody('sampled'), temperature: 0.7 };
    expect((await postChat(context, sampled, { 'x-modelgraph-cache-ttl': '60' })).cache).toBe('miss');
    expect((await postChat(context, sampled, { 'x-modelgraph-cache-ttl': '60' })).cache).toBe('hit');
  });

  it('coalesces 50 identical requests in flight into one upstream call, streams and single answers alike', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['slow', ' answer', ' here'], usage: { input: 10, output: 3 }, gapMs: 150 });
    try {
      const body = chatBody('coalesce');
      const before = upstreamCalls();
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => postChat(context, { ...body, ...(i % 2 ? { stream: true } : {}) }, { 'x-modelgraph-cache-ttl': '60' })),
      );
      expect(upstreamCalls() - before).toBe(1);
      expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200));
      expect(answers.filter((answer) => answer.cache === 'miss')).toHaveLength(1);
      for (const [i, answer] of answers.entries()) {
        const content = i % 2 ? assembleStream(answer.text).content : JSON.parse(answer.text).choices[0].message.content;
        expect(content).toBe('slow answer here');
      }
    } finally {
      context.openai.setScenario(text(['Hello', ' from', ' upstream']));
    }
  });

  it('meters a hit: a usage record with cacheHit, the original tokens, cost 0 and its own latency', async () => {
    const body = chatBody('metering');
    const miss = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
    const hit = await postChat(context, body, { 'x-modelgraph-cache-ttl': '60' });
    await usageFlushed(context.app);
    const usage = context.app.app.services.usage;
    const missRecord = await usage.findById(miss.generationId!);
    const hitRecord = await usage.findById(hit.generationId!);
    expect(missRecord).toMatchObject({ cacheHit: false, status: 'SUCCESS' });
    expect(missRecord!.cost).toBeGreaterThan(0n);
    expect(hitRecord).toMatchObject({ cacheHit: true, status: 'SUCCESS', cost: 0n, usage: missRecord!.usage, attempts: [], deploymentId: missRecord!.deploymentId });
    expect(hitRecord!.latencyMs).toBeGreaterThanOrEqual(0);
  });
});
