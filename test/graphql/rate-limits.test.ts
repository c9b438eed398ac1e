// Rate limits per key and team (rpm, tpm, parallel requests), over the GraphQL and REST APIs.
// Windows are fixed UTC minutes, so the apps run on an injected clock set inside one minute. With
// REDIS_URL, two instances share the limits through Redis (Lua scripts) and together admit no more
// than the limit; without it each instance limits on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { wsClient } from '../helpers/graphql-streams.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';
import { bearer, collectSubscription, eventually, usageFlushed } from '../helpers/metering.ts';
import { ManualClock } from '../helpers/router-harness.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const config = (overrides: Partial<AppConfig> = {}): AppConfig =>
  testConfig({
    providers: [
      { id: 'sim', kind: 'mock', mock: { text: 'ok' } },
      // Slow enough that concurrent requests are all admitted (or refused) before the first ends.
      { id: 'slow', kind: 'mock', mock: { text: 'ok', firstTokenLatencyMs: 1500 } },
    ],
    models: [
      { name: 'limited', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } },
      { name: 'slow', provider: 'slow', model: 'mock-small', pricing: { input: 1, output: 1 } },
    ],
    ...overrides,
  });

/** A started app on the injected clock, whose keys are named "limited key" unless told otherwise. */
async function startApp(appConfig: AppConfig, database: Database, clock: ManualClock): Promise<TestApp> {
  const app = await startTestApp(appConfig, database, { clock });
  const createKey = app.createKey;
  return { ...app, createKey: (input = {}) => createKey({ name: 'limited key', ...input }) };
}

const CALL = `mutation($model: String! = "limited", $max: Int) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }], maxOutputTokens: $max }) {
  __typename ... on ChatCompletion { id } ... on GatewayError { code message retryAfterMs } } }`;

/** `count` concurrent requests to the slow model, spread over the apps. */
async function calls(apps: TestApp[], secret: string, count: number, max = 16): Promise<any[]> {
  return Promise.all(Array.from({ length: count }, async (_, i) => (await apps[i % apps.length]!.graphql(CALL, { model: 'slow', max }, bearer(secret))).data.createChatCompletion));
}
const admittedOf = (results: any[]) => results.filter((result) => result.__typename === 'ChatCompletion').length;

const rateLimitHeadersOf = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('x-ratelimit-')));

/**
 * A key with rpm 2 and a budget (50 micro-USD) too small for 1000 output tokens: its refused
 * requests are 402 with x-ratelimit-* headers and do not use up the rpm, so two requests that fit
 * the budget are still admitted afterwards, and only a third is refused with 429.
 */
async function budgetRefusalsKeepRpm(apps: TestApp[]): Promise<void> {
  const key = await apps[0]!.createKey({ limits: { rpm: 2, maxBudget: '0.00005', budgetPeriod: 'LIFETIME' } });
  const post = (app: TestApp, maxTokens: number) =>
    fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key.secret) },
      body: JSON.stringify({ model: 'limited', messages: [{ role: 'user', content: 'hi' }], max_tokens: maxTokens }),
    });
  for (let i = 0; i < 3; i++) {
    const refused = await post(apps[i % apps.length]!, 1000);
    expect(refused.status).toBe(402);
    expect(((await refused.json()) as any).error.message).toMatch(/budget/i);
    expect(rateLimitHeadersOf(refused)).toEqual({ 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-reset-requests': '40s' });
  }
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const response = await post(apps[i % apps.length]!, 1);
    statuses.push(response.status);
    await response.text();
  }
  expect(statuses).toEqual([200, 200, 429]);
}

// 20 seconds into a minute: tests have 40 s before the window rolls over.
const minuteStart = () => new ManualClock(Date.UTC(2025, 0, 1, 12, 0, 20));

describe('rate limits on one instance (in memory)', () => {
  let database: Database;
  let app: TestApp;
  const clock = minuteStart();
  beforeAll(async () => {
    database = await databaseCases[0]!.open();
    app = await startApp(config(), database, clock);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('admits rpm requests a minute and refuses the rest with RATE_LIMITED and the time to wait', async () => {
    const key = await app.createKey({ limits: { rpm: 5 } });
    const results = [];
    for (let i = 0; i < 8; i++) results.push((await app.graphql(CALL, {}, bearer(key.secret))).data.createChatCompletion);
    expect(results.map((result) => result.__typename)).toEqual([...Array(5).fill('ChatCompletion'), ...Array(3).fill('GatewayError')]);
    expect(results[5]).toEqual({ __typename: 'GatewayError', code: 'RATE_LIMITED', message: 'Rate limit exceeded for key "limited key": 5 requests per minute; retry in 40 s', retryAfterMs: 40_000 });
    clock.advance(40_000);
    expect((await app.graphql(CALL, {}, bearer(key.secret))).data.createChatCompletion.__typename).toBe('ChatCompletion');
    clock.time = minuteStart().time;
  });

  it('reserves maxTokens against tpm while requests run, and counts the actual tokens after', async () => {
    const key = await app.createKey({ limits: { tpm: 2500 } });
    // Each reserves its prompt plus 1000 output tokens: only two fit at once.
    const concurrent = await calls([app], key.secret, 5, 1000);
    expect(admittedOf(concurrent)).toBe(2);
    expect(concurrent.find((result) => result.code)?.message).toMatch(/2500 tokens per minute \(\d+ used this minute\)/);
    // Settled to the actual few tokens: room again.
    expect((await app.graphql(CALL, { max: 1000 }, bearer(key.secret))).data.createChatCompletion.__typename).toBe('ChatCompletion');
  });

  it('limits parallel requests of a key, and a team across its keys', async () => {
    const key = await app.createKey({ limits: { maxParallelRequests: 2 } });
    const results = await calls([app], key.secret, 6);
    expect(admittedOf(results)).toBe(2);
    expect(results.find((result) => result.code)).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 1000, message: expect.stringContaining('2 parallel requests') });

    const team = await app.graphql('mutation { createTeam(input: { name: "rpm team", limits: { rpm: 3 } }) { ... on Team { id } } }');
    const teamId = team.data.createTeam.id;
    const first = await app.createKey({ teamId });
    const second = await app.createKey({ teamId });
    const mixed = [];
    for (const secret of [first.secret, first.secret, second.secret, second.secret]) mixed.push((await app.graphql(CALL, {}, bearer(secret))).data.createChatCompletion);
    expect(admittedOf(mixed)).toBe(3);
    expect(mixed.at(-1).message).toMatch(/^Rate limit exceeded for team [0-9a-f-]{36}: 3 requests per minute/);
  });

  it('sends x-ratelimit-* headers on REST responses, and retry-after on a 429', async () => {
    const key = await app.createKey({ limits: { rpm: 2, tpm: 100_000 } });
    const post = () =>
      fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(key.secret) },
        body: JSON.stringify({ model: 'limited', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 }),
      });
    const first = await post();
    expect(first.status).toBe(200);
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith('x-ratelimit-')))).toEqual({
      'x-ratelimit-limit-requests': '2',
      'x-ratelimit-remaining-requests': '1',
      'x-ratelimit-reset-requests': '40s',
      'x-ratelimit-limit-tokens': '100000',
      'x-ratelimit-remaining-tokens': expect.stringMatching(/^99\d\d\d$/),
      'x-ratelimit-reset-tokens': '40s',
    });
    await first.text();
    const streamed = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key.secret) },
      body: JSON.stringify({ model: 'limited', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(streamed.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    await streamed.text();
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('40');
    expect(((await refused.json()) as any).error.message).toMatch(/2 requests per minute/);
  });

  it('does not count budget refusals (402, with x-ratelimit-* headers) against rpm', async () => {
    await budgetRefusalsKeepRpm([app]);
  });
});

describe.runIf(testRedisUrl)('rate limits shared through Redis by two instances', () => {
  markRedisSuiteRan(import.meta.url);
  let database: Database;
  const apps: TestApp[] = [];
  const clock = minuteStart();
  beforeAll(async () => {
    // Both instances share one database (the keys) and one Redis (the limits).
    database = await databaseCases[0]!.open();
    for (let i = 0; i < 2; i++) apps.push(await startApp(config({ redisUrl: testRedisUrl }), database, clock));
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await database?.close();
  });

  it('admit no more than the rpm limit together', async () => {
    const key = await apps[0]!.createKey({ limits: { rpm: 10 } });
    const results = await calls(apps, key.secret, 30);
    expect(admittedOf(results)).toBe(10);
    expect(results.filter((result) => result.code === 'RATE_LIMITED')).toHaveLength(20);
  });

  it('admit no more than the parallel limit together, and free the slots when requests end', async () => {
    const key = await apps[0]!.createKey({ limits: { maxParallelRequests: 3 } });
    expect(admittedOf(await calls(apps, key.secret, 12))).toBe(3);
    expect(admittedOf(await calls(apps, key.secret, 12))).toBe(3);
  });

  it('do not count budget refusals against the shared rpm', async () => {
    await budgetRefusalsKeepRpm(apps);
  });

  it('admit no more than the tpm limit together', async () => {
    const key = await apps[0]!.createKey({ limits: { tpm: 5000 } });
    expect(admittedOf(await calls(apps, key.secret, 12, 1000))).toBe(4);
  });

  it('deliver every instance’s usage to a subscriber on either (Redis pub/sub)', async () => {
    const client = wsClient(apps[0]!.wsUrl);
    const feed = collectSubscription(client, 'subscription { usageEvents { id } }');
    // The Redis subscription starts asynchronously: requests on the second instance until one arrives.
    const sent: string[] = [];
    await eventually(async () => {
      sent.push((await apps[1]!.graphql(CALL)).data.createChatCompletion.id);
      await usageFlushed(apps[1]!);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return feed.values.some((value) => sent.includes(value.usageEvents.id));
    });
    expect(feed.errors).toEqual([]);
    feed.stop();
    await client.dispose();
  });
});

describe('without Redis, two instances limit separately', () => {
  let database: Database;
  const apps: TestApp[] = [];
  const clock = minuteStart();
  beforeAll(async () => {
    database = await databaseCases[0]!.open();
    for (let i = 0; i < 2; i++) apps.push(await startApp(config(), database, clock));
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await database?.close();
  });

  it('each admits the rpm limit (so the shared test above is meaningful)', async () => {
    const key = await apps[0]!.createKey({ limits: { rpm: 10 } });
    expect(admittedOf(await calls(apps, key.secret, 30))).toBe(20);
  });
});

