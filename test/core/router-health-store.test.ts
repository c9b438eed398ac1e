// One conformance suite for every DeploymentHealthStore: in memory always, Redis when
// TEST_REDIS_URL is set (.ci/run sets it when Redis answers). Also: two routers sharing one Redis
// store see each other's cooldowns.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryDeploymentHealthStore, type DeploymentHealthStore } from '../../src/core/router/deployment-health-store.ts';
import { MirroredDeploymentHealthStore } from '../../src/redis/mirrored-deployment-health-store.ts';
import { RedisDeploymentHealthStore } from '../../src/redis/redis-deployment-health-store.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';
import { createRouterHarness } from '../helpers/router-harness.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const clients: Redis[] = [];
afterAll(async () => {
  for (const client of clients) await client.quit();
});

/** A Redis store under a fresh key prefix, so test files and runs never share state. */
function redisStore(prefix = `modelgraph-test:${randomUUID()}:`): RedisDeploymentHealthStore {
  const client = new Redis(testRedisUrl!, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return new RedisDeploymentHealthStore(client, { keyPrefix: prefix });
}

const cases: Array<{ name: string; create(): DeploymentHealthStore }> = [
  { name: 'in memory', create: () => new InMemoryDeploymentHealthStore() },
  ...(testRedisUrl
    ? [
        { name: 'redis', create: () => redisStore() },
        // What the gateway runs: Redis read through the local mirror; every read here follows a write or a clock jump.
        { name: 'redis, mirrored', create: () => new MirroredDeploymentHealthStore(redisStore()) },
      ]
    : []),
];

const policy = { failures: 3, windowMs: 10_000, cooldownMs: 30_000 };
const T = 1_700_000_000_000;
const read = async (store: DeploymentHealthStore, id: string, now: number) => (await store.read([{ id, windowMs: policy.windowMs }], now))[0]!;

for (const { name, create } of cases) {
  describe(`DeploymentHealthStore: ${name}`, () => {
    if (name !== 'in memory') markRedisSuiteRan(import.meta.url);
    it('reads an unknown deployment as healthy', async () => {
      expect(await read(create(), 'nobody', T)).toEqual({ failuresInWindow: 0, cooledUntil: null, probeUntil: null, requestsThisMinute: 0, tokensThisMinute: 0 });
    });

    it('opens the breaker at the threshold within the window only', async () => {
      const store = create();
      await store.recordFailure('d', T, policy);
      await store.recordFailure('d', T + 1000, policy);
      expect(await read(store, 'd', T + 1000)).toMatchObject({ failuresInWindow: 2, cooledUntil: null });
      // The first failure has left the window when the third comes.
      await store.recordFailure('d', T + 10_500, policy);
      expect(await read(store, 'd', T + 10_500)).toMatchObject({ failuresInWindow: 2, cooledUntil: null });
      await store.recordFailure('d', T + 10_600, policy);
      expect(await read(store, 'd', T + 10_600)).toMatchObject({ failuresInWindow: 0, cooledUntil: T + 10_600 + 30_000 });
    });

    it('lets exactly one probe through after the cooldown; success closes, failure reopens', async () => {
      const store = create();
      for (let i = 0; i < 3; i++) await store.recordFailure('d', T, policy);
      expect(await store.claimProbe('d', T + 29_999, 5000)).toBe(false);
      expect(await store.claimProbe('d', T + 30_000, 5000)).toBe(true);
      expect(await store.claimProbe('d', T + 30_001, 5000)).toBe(false);
      expect(await read(store, 'd', T + 30_001)).toMatchObject({ probeUntil: T + 35_000 });
      // A lost probe's lease runs out.
      expect(await store.claimProbe('d', T + 35_000, 5000)).toBe(true);
      await store.recordFailure('d', T + 36_000, policy);
      expect(await read(store, 'd', T + 36_000)).toMatchObject({ cooledUntil: T + 66_000, probeUntil: null });
      // A success while still open changes nothing; after the cooldown it closes the breaker.
      await store.recordSuccess('d', T + 40_000);
      expect(await read(store, 'd', T + 40_000)).toMatchObject({ cooledUntil: T + 66_000 });
      expect(await store.claimProbe('d', T + 66_000, 5000)).toBe(true);
      await store.recordSuccess('d', T + 66_100);
      expect(await read(store, 'd', T + 66_100)).toMatchObject({ cooledUntil: null, probeUntil: null, failuresInWindow: 0 });
      expect(await store.claimProbe('d', T + 66_200, 5000)).toBe(false);
    });

    it('counts requests and tokens per clock minute', async () => {
      const store = create();
      const minute = Math.floor(T / 60_000) * 60_000;
      await store.recordUsage('d', minute + 1000, 1, 100);
      await store.recordUsage('d', minute + 2000, 1, 50);
      await store.recordUsage('d', minute + 3000, 0, 25);
      expect(await read(store, 'd', minute + 59_999)).toMatchObject({ requestsThisMinute: 2, tokensThisMinute: 175 });
      expect(await read(store, 'd', minute + 60_000)).toMatchObject({ requestsThisMinute: 0, tokensThisMinute: 0 });
    });

    it('keeps deployments apart and reads many at once in order', async () => {
      const store = create();
      for (let i = 0; i < 3; i++) await store.recordFailure('a', T, policy);
      await store.recordUsage('b', T, 2, 0);
      const [a, b, c] = await store.read(['a', 'b', 'c'].map((id) => ({ id, windowMs: policy.windowMs })), T);
      expect([a!.cooledUntil, b!.cooledUntil, c!.cooledUntil]).toEqual([T + 30_000, null, null]);
      expect([a!.requestsThisMinute, b!.requestsThisMinute]).toEqual([0, 2]);
    });
  });
}

describe.runIf(testRedisUrl)('routers sharing Redis', () => {
  markRedisSuiteRan(import.meta.url);
  it('a deployment cooled by one instance is skipped by the other', async () => {
    const simulator = await startOpenAISimulator();
    simulator.setScenario((request) =>
      (request.body as { model: string }).model === 'a' ? { kind: 'error', status: 503, message: 'down' } : { kind: 'text', chunks: ['b'], usage: { input: 1, output: 1 } },
    );
    const prefix = `modelgraph-test:${randomUUID()}:`;
    const options = {
      providers: { pa: simulator.baseUrl, pb: simulator.baseUrl },
      deployments: [
        { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a' },
        { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b' },
      ],
      router: { defaults: { cooldown: { failures: 2 } } },
    };
    const first = createRouterHarness({ ...options, health: redisStore(prefix) });
    const second = createRouterHarness({ ...options, health: redisStore(prefix) });
    try {
      for (let i = 0; i < 2; i++) expect((await first.create({ model: 'main' })).attempts.map((a) => a.upstreamModel)).toEqual(['a', 'b']);
      await new Promise((resolve) => setTimeout(resolve, 50)); // failures are recorded off the request path
      expect((await second.create({ model: 'main' })).attempts.map((a) => a.upstreamModel)).toEqual(['b']);
      const states = await second.service.deploymentStates();
      expect(states.find((s) => s.deployment.id === 'a')!.cooledUntil).not.toBeNull();
    } finally {
      await first.close();
      await second.close();
      await simulator.close();
    }
  });
});
