// The response cache over GraphQL: cacheStatus on the mutation, a hit replayed on the subscription
// (graphql-ws) with the live stream's content, embeddings, cacheHits in usage reports, and the
// admin purge (refused to a non-admin key, audited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { markRedisSuiteRan } from '../helpers/redis-suite.ts';
import type { RestTestContext } from '../http/rest-test-app.ts';
import { cacheCases, startCacheTestApp } from './cache-test-app.ts';

const CHAT = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) {
  __typename ... on ChatCompletion { id cacheStatus cost output { content } usage { inputTokens outputTokens } } ... on Error { code message } } }`;
const STREAM = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename ... on ChatTextDelta { text } ... on ChatCompletionCompleted { completion { cacheStatus output { content } } finishReason { unified } } } }`;
const PURGE = `mutation($input: PurgeResponseCacheInput!) { purgeResponseCache(input: $input) { __typename ... on PurgeResponseCacheResult { purged } ... on Error { code message } } }`;

describe.each(cacheCases)('response cache over GraphQL ($name)', (cacheCase) => {
  if (cacheCase.redisUrl) markRedisSuiteRan(import.meta.url);
  let context: RestTestContext;
  beforeAll(async () => {
    context = await startCacheTestApp(cacheCase, { defaultTtlSeconds: 60 });
    context.openai.setScenario({ kind: 'text', chunks: ['Cached', ' by', ' GraphQL'], usage: { input: 100, output: 20 } });
  });
  afterAll(async () => context?.stop());

  const input = (text: string, extra: Record<string, unknown> = {}) => ({
    model: 'gpt-test',
    messages: [{ role: 'USER', content: `${text} ${Math.random()}` }],
    temperature: 0,
    ...extra,
  });
  const chat = async (variables: Record<string, unknown>, secret = context.apiKey) => (await context.app.graphql(CHAT, { input: variables }, bearer(secret))).data.createChatCompletion;

  it('says MISS then HIT, from the configured default TTL for a deterministic request; a sampled one is not cached by default', async () => {
    const request = input('mutation');
    const first = await chat(request);
    const second = await chat(request);
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['MISS', 'HIT']);
    expect(second.output).toEqual(first.output);
    expect(second.cost).toBe('0');
    const sampled = input('sampled', { temperature: 1 });
    expect((await chat(sampled)).cacheStatus).toBeNull();
    expect((await chat({ ...sampled, cache: { ttlSeconds: 60 } })).cacheStatus).toBe('MISS');
    expect((await chat({ ...sampled, cache: { ttlSeconds: 60 } })).cacheStatus).toBe('HIT');
    expect((await chat({ ...sampled, cache: { ttlSeconds: 60, bypass: true } })).cacheStatus).toBe('BYPASS');
  });

  it('replays a hit on the subscription with the live stream events and terminal event', async () => {
    const request = input('subscription');
    const client = wsClient(context.app.wsUrl, { authorization: `Bearer ${context.apiKey}` });
    try {
      const live = await subscribeWs(client, STREAM, { input: request });
      const replayed = await subscribeWs(client, STREAM, { input: request });
      const textOf = (events: any[]) => events.filter((e) => e.chatCompletionStream.__typename === 'ChatTextDelta').map((e) => e.chatCompletionStream.text).join('');
      const terminal = (events: any[]) => events.at(-1).chatCompletionStream;
      expect(textOf(replayed)).toBe(textOf(live));
      expect(textOf(live)).toBe('Cached by GraphQL');
      expect(terminal(live)).toMatchObject({ __typename: 'ChatCompletionCompleted', completion: { cacheStatus: 'MISS' } });
      expect(terminal(replayed)).toMatchObject({ __typename: 'ChatCompletionCompleted', completion: { cacheStatus: 'HIT' }, finishReason: terminal(live).finishReason });
      // The mutation is answered from what the subscription stored.
      expect((await chat(request)).output.content).toBe('Cached by GraphQL');
    } finally {
      await client.dispose();
    }
  });

  it('caches embeddings', async () => {
    const EMBED = `mutation($input: EmbeddingsInput!) { createEmbeddings(input: $input) { __typename ... on Embeddings { cacheStatus data { vector } } ... on Error { code message } } }`;
    const variables = { input: { model: 'gpt-test', input: [`embed ${Math.random()}`] } };
    const first = (await context.app.graphql(EMBED, variables, bearer(context.apiKey))).data.createEmbeddings;
    const second = (await context.app.graphql(EMBED, variables, bearer(context.apiKey))).data.createEmbeddings;
    expect([first.cacheStatus, second.cacheStatus]).toEqual(['MISS', 'HIT']);
    expect(second.data).toEqual(first.data);
  });

  it('counts hits in usage reports and marks the generation', async () => {
    const key = await context.app.createKey({ name: 'usage of hits', scopes: ['INFERENCE'] });
    const request = input('usage');
    await chat(request, key.secret);
    const hit = await chat(request, key.secret);
    await chat(request, key.secret);
    await usageFlushed(context.app);
    const report = await context.app.graphql(`query($filter: UsageFilterInput) { usage(filter: $filter) { totals { requests cacheHits } } }`, { filter: { keyIds: [key.id] } });
    expect(report.data.usage.totals).toEqual({ requests: 3, cacheHits: 2 });
    const grouped = await context.app.graphql(`query($filter: UsageFilterInput) { usage(filter: $filter, groupBy: [CACHE_HIT]) { series { cacheHit requests cacheHits } } }`, {
      filter: { keyIds: [key.id] },
    });
    expect(grouped.data.usage.series).toEqual(expect.arrayContaining([{ cacheHit: true, requests: 2, cacheHits: 2 }, { cacheHit: false, requests: 1, cacheHits: 0 }]));
    const hitsOnly = await context.app.graphql(`query($filter: UsageFilterInput) { usage(filter: $filter) { totals { requests } } }`, { filter: { keyIds: [key.id], cacheHit: true } });
    expect(hitsOnly.data.usage.totals.requests).toBe(2);
    const generation = await context.app.graphql(`query($id: ID!) { generation(id: $id) { cacheHit cost } }`, { id: hit.id });
    expect(generation.data.generation).toEqual({ cacheHit: true, cost: '0' });
  });

  it('purges by key for an admin (audited) and refuses a non-admin key', async () => {
    const key = await context.app.createKey({ name: 'purged key', scopes: ['INFERENCE'] });
    const request = input('purge');
    expect((await chat(request, key.secret)).cacheStatus).toBe('MISS');
    expect((await chat(request, key.secret)).cacheStatus).toBe('HIT');
    const refused = await context.app.graphql(PURGE, { input: { keyId: key.id } }, bearer(key.secret));
    expect(refused.errors?.[0]?.extensions?.code ?? refused.data?.purgeResponseCache?.code).toBe('FORBIDDEN');
    expect((await chat(request, key.secret)).cacheStatus).toBe('HIT');
    const purged = await context.app.graphql(PURGE, { input: { keyId: key.id } });
    expect(purged.data.purgeResponseCache).toEqual({ __typename: 'PurgeResponseCacheResult', purged: 1 });
    expect((await chat(request, key.secret)).cacheStatus).toBe('MISS');
    const audit = await context.app.graphql(`{ auditLog(first: 5, targetType: "ResponseCache") { edges { node { action after } } } }`);
    expect(audit.data.auditLog.edges.find((edge: any) => edge.node.action === 'purgeResponseCache')?.node.after).toMatchObject({ keyId: key.id, purged: 1 });
  });
});
