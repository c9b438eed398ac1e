// A response cache store that fails or hangs: every request is served from the upstream as a miss,
// never an error; the failure is logged once per burst and counted as `error` in /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/app.ts';
import type { ResponseCacheStore } from '../../src/core/cache/response-cache-store.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { recordingLogger } from '../helpers/log-capture.ts';
import { scrape } from '../helpers/prometheus-scrape.ts';
import { TEST_ADMIN_KEY, testConfig } from '../helpers/test-app.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { cacheConfig } from './cache-test-app.ts';

/** Fails (`fail`) or never answers (`hang`), as a database that went away or one that stalls. */
function brokenStore(mode: { current: 'fail' | 'hang' | 'work' }): ResponseCacheStore {
  const entries = new Map<string, { body: string; expiresAt: number }>();
  const broken = <T>(work: () => T): Promise<T> =>
    mode.current === 'fail' ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : mode.current === 'hang' ? new Promise<T>(() => undefined) : Promise.resolve(work());
  return {
    get: (key) => broken(() => entries.get(key) ?? null),
    set: (entry) => broken(() => void entries.set(entry.key, { body: entry.body, expiresAt: entry.expiresAt })),
    purge: () => broken(() => 0),
  };
}

describe('response cache store failures', () => {
  const mode: { current: 'fail' | 'hang' | 'work' } = { current: 'fail' };
  const logger = recordingLogger();
  let database: Database;
  let upstream: UpstreamSimulator;
  let app: App;
  let url: string;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    upstream = await startOpenAISimulator();
    upstream.setScenario({ kind: 'text', chunks: ['still', ' served'], usage: { input: 10, output: 2 } });
    app = await buildApp(
      testConfig({
        providers: [{ id: 'oai', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream' }],
        models: [{ name: 'gpt-test', provider: 'oai', model: 'gpt-5-mini' }],
        cache: cacheConfig({ storeTimeoutMs: 100 }),
      }),
      { database, logger, responseCacheStore: brokenStore(mode) },
    );
    url = (await app.start()).url;
  });
  afterAll(async () => {
    await app?.stop();
    await upstream?.close();
    await database?.close();
  });

  const post = async (body: unknown) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-modelgraph-cache-ttl': '60' },
      body: JSON.stringify(body),
    });
    return { status: response.status, cache: response.headers.get('x-modelgraph-cache'), body: (await response.json()) as any };
  };
  const body = (text: string) => ({ model: 'gpt-test', messages: [{ role: 'user', content: text }], temperature: 0 });
  const warnings = () => logger.entries.filter((entry) => entry.message.startsWith('response cache store unavailable')).length;

  it('serves a miss from the upstream when the store fails, logging once per burst', async () => {
    mode.current = 'fail';
    const before = upstream.requests.length;
    for (let i = 0; i < 3; i++) {
      const answer = await post(body('failing store'));
      expect([answer.status, answer.cache, answer.body.choices[0].message.content]).toEqual([200, 'miss', 'still served']);
    }
    expect(upstream.requests.length - before).toBe(3);
    expect(warnings()).toBe(1);
  });

  it('serves a miss within the store timeout when the store hangs', async () => {
    mode.current = 'hang';
    const started = Date.now();
    const answer = await post(body('hanging store'));
    expect([answer.status, answer.cache]).toEqual([200, 'miss']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('hits again once the store answers, and counts lookups by result in /metrics', async () => {
    mode.current = 'work';
    expect((await post(body('store back'))).cache).toBe('miss');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post(body('store back'))).cache).toBe('hit');
    const metrics = await scrape(`${url}/metrics`, { authorization: `Bearer ${TEST_ADMIN_KEY}` });
    const name = 'modelgraph_response_cache_requests_total';
    expect(metrics.value(name, { result: 'error' })).toBe(4);
    expect(metrics.value(name, { result: 'hit' })).toBe(1);
    expect(metrics.value(name, { result: 'miss' })).toBe(1);
    expect(logger.entries.some((entry) => entry.message === 'response cache store answers again')).toBe(true);
  });
});
