// Embeddings through the router they share with chat completions, with real OpenAI adapters over
// the scripted upstream simulator: each (route, upstream model) answers as its script says for its
// n-th call. Clock, randomness and sleeps are injected (test/helpers/router-harness.ts).
import { describe, expect, it } from 'vitest';
import { busyWithAStream, noRetries, rejection, seededRandom, timedOutThenServed, weightedOneToThree, type DeploymentSpec } from '../helpers/router-harness.ts';
import { useScriptedRouter } from '../helpers/scripted-router.ts';
import type { Scenario } from '../helpers/upstream-scenario.ts';
import { isOpenAIEmbeddingsRoute } from '../providers/openai-embeddings-simulator.ts';

const ok: Scenario = { kind: 'text', chunks: ['ok'], usage: { input: 10, output: 2 } };
const fail = (status: number, extra: Partial<Extract<Scenario, { kind: 'error' }>> = {}): Scenario => ({ kind: 'error', status, message: `upstream ${status}`, ...extra });
const hang: Scenario = { kind: 'hang', chunks: ['busy'] };

/** By `embed:<model>` or `chat:<model>`: what its n-th call (1-based) answers; unscripted ones succeed. */
const upstream = useScriptedRouter({
  providers: ['pa', 'pb', 'pc'],
  keyOf: (request) => `${isOpenAIEmbeddingsRoute(request) ? 'embed' : 'chat'}:${String((request.body as { model?: unknown }).model)}`,
  unscripted: () => ok,
});
const { harness } = upstream;

const tried = (outcome: { attempts: Array<{ upstreamModel: string }> }) => outcome.attempts.map((a) => a.upstreamModel);
const single: DeploymentSpec[] = [{ id: 'a', modelName: 'vectors', providerId: 'pa', upstreamModel: 'a' }];
// random() = 0.5 gives equal weighted-random keys: `a` stays first while it is eligible.
const pair: DeploymentSpec[] = [
  { id: 'a', modelName: 'vectors', providerId: 'pa', upstreamModel: 'a' },
  { id: 'b', modelName: 'vectors', providerId: 'pb', upstreamModel: 'b' },
];
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('retries and fallbacks', () => {
  it("waits for the upstream's Retry-After, retries, and meters one record listing every attempt", async () => {
    const router = harness(single);
    upstream.scripts = { 'embed:a': (call) => (call === 1 ? fail(429, { retryAfterSeconds: 2 }) : ok) };
    const outcome = await router.embed({ model: 'vectors', input: ['one', 'two'] });
    expect(outcome.vectors).toHaveLength(2);
    expect(router.sleeps).toEqual([2000]);
    const attempts = outcome.attempts.map((a) => ({ code: a.errorCode, retry: a.retry, backoffMs: a.backoffMs }));
    expect(attempts).toEqual([
      { code: 'RATE_LIMITED', retry: 0, backoffMs: 0 },
      { code: null, retry: 1, backoffMs: 2000 },
    ]);
    expect(router.records).toHaveLength(1);
    expect(router.records[0]).toMatchObject({ status: 'SUCCESS', deploymentId: 'a', usage: { outputTokens: 0 } });
    expect(router.records[0]!.attempts.map((a) => a.errorCode)).toEqual(['RATE_LIMITED', null]);
  });

  it('backs off with jitter on 5xx and gives up with the last error when the retries are spent', async () => {
    const router = harness(single, { random: () => 0.5, router: { defaults: { retries: { UPSTREAM_ERROR: 2 }, backoff: { initialMs: 100, maxMs: 1000 } } } });
    upstream.scripts = { 'embed:a': () => fail(500) };
    const error = await rejection(router.embed({ model: 'vectors' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(router.sleeps).toEqual([50, 100]);
    expect(upstream.calls['embed:a']).toBe(3);
    expect(router.records.at(-1)).toMatchObject({ status: 'ERROR', errorCode: 'UPSTREAM_ERROR', deploymentId: null });
  });

  it("walks the group's configured fallback models, reporting the model that served", async () => {
    const router = harness([...single, { id: 'c', modelName: 'vectors-backup', providerId: 'pc', upstreamModel: 'c' }], {
      router: { defaults: { retries: noRetries }, groups: { vectors: { fallbacks: ['vectors-backup'] } } },
    });
    upstream.scripts = { 'embed:a': () => fail(503) };
    const outcome = await router.embed({ model: 'vectors' });
    expect(tried(outcome)).toEqual(['a', 'c']);
    expect(outcome).toMatchObject({ requestedModel: 'vectors', model: 'vectors-backup', upstreamModel: 'c' });
  });
});

describe('cooldown', () => {
  const cooldown = { failures: 2, windowMs: 60_000, cooldownMs: 30_000 };

  it('takes a failing deployment out of rotation, then lets one probe decide', async () => {
    const router = harness(pair, { router: { defaults: { retries: noRetries, cooldown } } });
    upstream.scripts = { 'embed:a': () => fail(500) };
    for (let i = 0; i < 2; i++) expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['a', 'b']);
    const cooledAt = router.clock.now();
    expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['b']);
    expect(upstream.calls['embed:a']).toBe(2);
    const states = await router.service.deploymentStates();
    expect(states.find((s) => s.deployment.id === 'a')).toMatchObject({ cooledUntil: cooledAt + 30_000 });

    router.clock.advance(30_000);
    upstream.scripts = {};
    expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['a']);
    expect((await router.service.deploymentStates()).find((s) => s.deployment.id === 'a')).toMatchObject({ cooledUntil: null });
  });

  it('is shared with chat: a deployment cooled by either operation is skipped by both', async () => {
    const embedFirst = harness(pair, { router: { defaults: { retries: noRetries, cooldown } } });
    upstream.scripts = { 'embed:a': () => fail(503) };
    for (let i = 0; i < 2; i++) await embedFirst.embed({ model: 'vectors' });
    expect(tried(await embedFirst.create({ model: 'vectors' }))).toEqual(['b']);
    expect(upstream.calls['chat:a']).toBeUndefined();

    const chatFirst = harness(pair, { router: { defaults: { retries: noRetries, cooldown } } });
    upstream.calls = {};
    upstream.scripts = { 'chat:a': () => fail(503) };
    for (let i = 0; i < 2; i++) expect(tried(await chatFirst.create({ model: 'vectors' }))).toEqual(['a', 'b']);
    expect(tried(await chatFirst.embed({ model: 'vectors' }))).toEqual(['b']);
    expect(upstream.calls['embed:a']).toBeUndefined();
  });
});

describe('timeouts and live state', () => {
  it("a deployment's timeoutMs bounds the attempt; the next deployment answers", async () => {
    const router = harness(
      [
        { id: 'a', modelName: 'vectors', providerId: 'pa', upstreamModel: 'a', priority: 0, timeoutMs: 100 },
        { id: 'b', modelName: 'vectors', providerId: 'pb', upstreamModel: 'b', priority: 1 },
      ],
      { realClock: true },
    );
    upstream.scripts = { 'embed:a': () => hang };
    await timedOutThenServed(() => router.embed({ model: 'vectors' }));
    // A timed-out attempt counts as the deployment's latency.
    const states = await router.service.deploymentStates();
    expect(states.find((s) => s.deployment.id === 'a')!.latencyMs).toBeGreaterThanOrEqual(90);
  });

  it('the group timeouts apply to deployments without their own', async () => {
    const router = harness(pair, { realClock: true, router: { defaults: { timeouts: { totalMs: 100 } } } });
    upstream.scripts = { 'embed:a': () => hang };
    expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['a', 'b']);
  });

  it('counts embeddings in the live state: in flight, latency, requests and tokens this minute', async () => {
    const router = harness(single, { realClock: true });
    upstream.scripts = { 'embed:a': (call) => (call === 1 ? hang : ok) };
    const controller = new AbortController();
    const pending = router.embed({ model: 'vectors' }, controller.signal);
    await until(() => upstream.calls['embed:a'] === 1);
    const state = async () => (await router.service.deploymentStates()).find((s) => s.deployment.id === 'a')!;
    expect(await state()).toMatchObject({ inFlight: 1, latencyMs: null });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect((await state()).inFlight).toBe(0);

    await router.embed({ model: 'vectors', input: ['a longer text to count'] });
    const after = await state();
    expect(after).toMatchObject({ inFlight: 0, requestsThisMinute: 2 });
    expect(after.latencyMs).not.toBeNull();
    expect(after.tokensThisMinute).toBeGreaterThan(0);
  });
});

describe('strategies', () => {
  it('weighted random follows the weights', async () => {
    const router = harness(weightedOneToThree('vectors'), { random: seededRandom(7) });
    for (let i = 0; i < 200; i++) await router.embed({ model: 'vectors' });
    expect(upstream.calls['embed:heavy']! / 200).toBeGreaterThan(0.65);
    expect(upstream.calls['embed:heavy']! / 200).toBeLessThan(0.85);
  });

  it('least in flight sends embeddings away from a deployment busy with a chat stream', async () => {
    const router = harness(pair, { router: { groups: { vectors: { strategy: 'least-in-flight' } } } });
    upstream.scripts = { 'chat:a': () => hang };
    const release = await busyWithAStream(router.service, 'vectors');
    // Random ties would pick `a` first.
    for (let i = 0; i < 3; i++) expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['b']);
    await release();
    expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['a']);
  });

  it('lowest cost ranks by the input price; the `:floor` suffix does too', async () => {
    const price = (input: bigint) => ({ input, output: 0n, cacheRead: null, cacheWrite: null });
    const deployments: DeploymentSpec[] = [
      { id: 'dear', modelName: 'vectors', providerId: 'pa', upstreamModel: 'dear', pricing: price(130_000n) },
      { id: 'cheap', modelName: 'vectors', providerId: 'pb', upstreamModel: 'cheap', pricing: price(20_000n) },
    ];
    const router = harness(deployments, { router: { groups: { vectors: { strategy: 'lowest-cost', retries: noRetries } } } });
    upstream.scripts = { 'embed:cheap': () => fail(503) };
    expect(tried(await router.embed({ model: 'vectors' }))).toEqual(['cheap', 'dear']);
    upstream.scripts = {};
    expect(tried(await harness(deployments).embed({ model: 'vectors:floor' }))).toEqual(['cheap']);
  });
});

describe('context window', () => {
  it('checks the longest input, not their sum, against each deployment', async () => {
    const router = harness([
      { id: 'small', modelName: 'vectors', providerId: 'pa', upstreamModel: 'small', priority: 0, contextLength: 10 },
      { id: 'large', modelName: 'vectors', providerId: 'pb', upstreamModel: 'large', priority: 1 },
    ]);
    const fits = 'x'.repeat(36); // about 9 tokens each, 27 together
    expect(tried(await router.embed({ model: 'vectors', input: [fits, fits, fits] }))).toEqual(['small']);
    expect(tried(await router.embed({ model: 'vectors', input: [fits, 'x'.repeat(60)] }))).toEqual(['large']);

    const only = harness([{ id: 'small', modelName: 'vectors', providerId: 'pa', upstreamModel: 'small', contextLength: 10 }]);
    upstream.calls = {};
    expect(await rejection(only.embed({ model: 'vectors', input: ['x'.repeat(60)] }))).toMatchObject({
      code: 'CONTEXT_LENGTH_EXCEEDED',
      message: expect.stringMatching(/^The longest input \(about \d+ tokens\) does not fit the context window of any deployment of "vectors"$/),
    });
    expect(upstream.calls).toEqual({});
  });
});
