// The router through the completion service, with real OpenAI adapters over a scripted upstream
// simulator: each upstream model answers as its script says for its n-th call. Clock, randomness
// and sleeps are injected (test/helpers/router-harness.ts).
import { describe, expect, it } from 'vitest';
import { ContentFilteredError } from '../../src/core/errors.ts';
import type { ProviderAdapter } from '../../src/core/ports.ts';
import { busyWithAStream, catalogModel, noRetries, rejection, seededRandom, timedOutThenServed, weightedOneToThree, type DeploymentSpec } from '../helpers/router-harness.ts';
import { useScriptedRouter } from '../helpers/scripted-router.ts';
import type { Scenario } from '../helpers/upstream-scenario.ts';

const ok = (text = 'ok'): Scenario => ({ kind: 'text', chunks: [text], usage: { input: 10, output: 2 } });
const fail = (status: number, extra: Partial<Extract<Scenario, { kind: 'error' }>> = {}): Scenario => ({ kind: 'error', status, message: `upstream ${status}`, ...extra });

/** Per upstream model: what its n-th call (1-based) answers; unscripted models answer `ok(model)`. */
const upstream = useScriptedRouter({
  providers: ['pa', 'pb', 'pc', 'pd'],
  keyOf: (request) => String((request.body as { model?: unknown }).model),
  unscripted: (model) => ok(model),
});
const { harness } = upstream;

const tried = (outcome: { attempts: Array<{ upstreamModel: string }> }) => outcome.attempts.map((a) => a.upstreamModel);

describe('fallbacks', () => {
  it('tries the group in priority order, then the request fallbacks, then the configured chain', async () => {
    const router = harness(
      [
        { id: 'a1', modelName: 'main', providerId: 'pa', upstreamModel: 'a1', priority: 0 },
        { id: 'a2', modelName: 'main', providerId: 'pb', upstreamModel: 'a2', priority: 1 },
        { id: 'b', modelName: 'second', providerId: 'pc', upstreamModel: 'b' },
        { id: 'c', modelName: 'backup', providerId: 'pd', upstreamModel: 'c' },
      ],
      { router: { defaults: { retries: noRetries }, groups: { main: { fallbacks: ['backup'] } } } },
    );
    upstream.scripts = { a1: () => fail(503), a2: () => fail(429), b: () => fail(500) };
    const outcome = await router.create({ model: 'main', fallbackModels: ['second'] });
    expect(tried(outcome)).toEqual(['a1', 'a2', 'b', 'c']);
    expect(outcome.attempts.map((a) => [a.errorCode, a.upstreamStatus])).toEqual([
      ['OVERLOADED', 503],
      ['RATE_LIMITED', 429],
      ['UPSTREAM_ERROR', 500],
      [null, null],
    ]);
    expect(outcome).toMatchObject({ model: 'backup', providerId: 'pd', result: { text: 'c' } });
  });

  it('does not fall back on an invalid request or a rejected upstream key unless configured to', async () => {
    const deployments = [
      { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', priority: 0 },
      { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', priority: 1 },
    ];
    const strict = harness(deployments);
    upstream.scripts = { a: () => fail(400) };
    const invalid = await rejection(strict.create({ model: 'main' }));
    expect(invalid.code).toBe('INVALID_REQUEST');
    upstream.scripts = { a: () => fail(401) };
    expect((await rejection(strict.create({ model: 'main' }))).code).toBe('UPSTREAM_AUTHENTICATION');
    expect(upstream.calls.b).toBeUndefined();

    const lenient = harness(deployments, { router: { groups: { main: { fallbackOn: { INVALID_REQUEST: true } } } } });
    upstream.scripts = { a: () => fail(400) };
    const outcome = await lenient.create({ model: 'main' });
    expect(tried(outcome)).toEqual(['a', 'b']);
  });

  it('sends a refused prompt to the content-policy chain, skipping the rest of the group', async () => {
    const refusing: ProviderAdapter = {
      generate: async () => {
        throw new ContentFilteredError('The prompt was filtered', { provider: 'pa' });
      },
      stream: () => {
        throw new ContentFilteredError('The prompt was filtered', { provider: 'pa' });
      },
    };
    const router = harness(
      [
        { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', priority: 0 },
        { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', priority: 1 },
        { id: 'lenient', modelName: 'lenient', providerId: 'pc', upstreamModel: 'lenient' },
      ],
      { adapters: { pa: refusing }, router: { groups: { main: { contentPolicyFallbacks: ['lenient'] } } } },
    );
    const outcome = await router.create({ model: 'main' });
    expect(tried(outcome)).toEqual(['a', 'lenient']);
    expect(outcome.attempts[0]!.errorCode).toBe('CONTENT_FILTERED');

    const events = await router.stream({ model: 'main' });
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { model: 'lenient' } });
  });
});

describe('retries', () => {
  const single = [{ id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a' }];

  it("waits for the upstream's Retry-After, then retries the round", async () => {
    const router = harness(single);
    upstream.scripts = { a: (call) => (call === 1 ? fail(429, { retryAfterSeconds: 2 }) : ok()) };
    const outcome = await router.create({ model: 'main' });
    expect(router.sleeps).toEqual([2000]);
    expect(outcome.attempts.map((a) => ({ code: a.errorCode, retry: a.retry, backoffMs: a.backoffMs }))).toEqual([
      { code: 'RATE_LIMITED', retry: 0, backoffMs: 0 },
      { code: null, retry: 1, backoffMs: 2000 },
    ]);
  });

  it('backs off exponentially with full jitter, as many times as the error code allows', async () => {
    const router = harness(single, {
      random: () => 0.5,
      router: { defaults: { retries: { UPSTREAM_ERROR: 3 }, backoff: { initialMs: 100, maxMs: 1000 } } },
    });
    upstream.scripts = { a: (call) => (call <= 3 ? fail(500) : ok()) };
    const outcome = await router.create({ model: 'main' });
    // Half of 100, 200, 400 ms.
    expect(router.sleeps).toEqual([50, 100, 200]);
    expect(outcome.attempts.map((a) => a.retry)).toEqual([0, 1, 2, 3]);

    upstream.scripts = { a: () => fail(500) };
    router.sleeps.length = 0;
    const error = await rejection(router.create({ model: 'main' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(router.sleeps).toHaveLength(3);
  });

  it('never sleeps past the request deadline, nor for a Retry-After beyond the backoff cap', async () => {
    const router = harness(single);
    upstream.scripts = { a: () => fail(429, { retryAfterSeconds: 2 }) };
    const error = await rejection(router.create({ model: 'main', routing: { timeoutMs: 1500 } }));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 2000 });
    expect(router.sleeps).toEqual([]);

    upstream.scripts = { a: () => fail(429, { retryAfterSeconds: 30 }) };
    expect(await rejection(router.create({ model: 'main' }))).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(router.sleeps).toEqual([]);
  });
});

describe('cooldown', () => {
  const pair = [
    { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a' },
    { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b' },
  ];

  it('takes a failing deployment out of rotation, then lets one probe decide', async () => {
    // random() = 0.5 for both gives equal weighted-random keys: `a` stays first while eligible.
    const router = harness(pair, { router: { defaults: { cooldown: { failures: 3, windowMs: 60_000, cooldownMs: 30_000 } } } });
    upstream.scripts = { a: () => fail(503) };
    for (let i = 0; i < 3; i++) expect(tried(await router.create({ model: 'main' }))).toEqual(['a', 'b']);
    const cooledAt = router.clock.now();
    expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);
    const states = await router.service.deploymentStates();
    expect(states.find((s) => s.deployment.id === 'a')).toMatchObject({ cooledUntil: cooledAt + 30_000, failuresInWindow: 0 });

    router.clock.advance(29_999);
    expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);
    // Half-open: the probe fails and the deployment is out for another cooldown.
    router.clock.advance(1);
    expect(tried(await router.create({ model: 'main' }))).toEqual(['a', 'b']);
    expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);

    router.clock.advance(30_000);
    upstream.scripts = {};
    expect(tried(await router.create({ model: 'main' }))).toEqual(['a']);
    expect((await router.service.deploymentStates()).find((s) => s.deployment.id === 'a')).toMatchObject({ cooledUntil: null });
    expect(tried(await router.create({ model: 'main' }))).toEqual(['a']);
  });

  it('forgets failures older than the window, and never cools a deployment alone in its group', async () => {
    const router = harness([...pair, { id: 'solo', modelName: 'solo', providerId: 'pc', upstreamModel: 'solo' }], {
      router: { defaults: { retries: noRetries, cooldown: { failures: 2, windowMs: 10_000 } } },
    });
    upstream.scripts = { a: () => fail(500), solo: () => fail(500) };
    await router.create({ model: 'main' });
    router.clock.advance(10_001);
    await router.create({ model: 'main' });
    expect(tried(await router.create({ model: 'main' }))).toEqual(['a', 'b']);
    for (let i = 0; i < 5; i++) await rejection(router.create({ model: 'solo' }));
    expect(upstream.calls.solo).toBe(5);
  });

  it('keeps live state when the deployment table is replaced', async () => {
    const router = harness(pair, { router: { defaults: { cooldown: { failures: 1 } } } });
    upstream.scripts = { a: () => fail(503) };
    await router.create({ model: 'main' });
    router.deployments.replace(pair.map((spec) => ({ ...spec, weight: 2, priority: 0, timeoutMs: null, pricing: null, contextLength: null, maxOutputTokens: null })));
    expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);
    expect((await router.service.deploymentStates()).map((s) => [s.deployment.id, s.deployment.weight, s.cooledUntil !== null])).toEqual([
      ['a', 2, true],
      ['b', 2, false],
    ]);
  });
});

describe('strategies', () => {
  it('weighted random follows the weights', async () => {
    const router = harness(weightedOneToThree('main'), { random: seededRandom(42) });
    for (let i = 0; i < 200; i++) await router.create({ model: 'main' });
    expect(upstream.calls.heavy! / 200).toBeGreaterThan(0.65);
    expect(upstream.calls.heavy! / 200).toBeLessThan(0.85);
  });

  it('least in flight avoids the busy deployment', async () => {
    const router = harness(
      [
        { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a' },
        { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b' },
      ],
      { router: { groups: { main: { strategy: 'least-in-flight' } } } },
    );
    upstream.scripts = { a: () => ({ kind: 'hang', chunks: ['busy'] }) };
    // `a` keeps one request in flight.
    const release = await busyWithAStream(router.service, 'main');
    // Random ties would pick `a` first.
    for (let i = 0; i < 3; i++) expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);
    await release();
  });

  it('lowest latency picks the deployment with the fastest first token once both are measured', async () => {
    const router = harness(
      [
        { id: 'slow', modelName: 'main', providerId: 'pa', upstreamModel: 'slow' },
        { id: 'fast', modelName: 'main', providerId: 'pb', upstreamModel: 'fast' },
      ],
      { realClock: true, router: { groups: { main: { strategy: 'lowest-latency' } } } },
    );
    upstream.scripts = { slow: () => ({ kind: 'text', chunks: ['s'], usage: { input: 1, output: 1 }, gapMs: 60 }) };
    await router.stream({ model: 'main', routing: { only: ['pa'] } });
    await router.stream({ model: 'main', routing: { only: ['pb'] } });
    for (let i = 0; i < 3; i++) {
      const events = await router.stream({ model: 'main' });
      expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { upstreamModel: 'fast' } });
    }
    const states = await router.service.deploymentStates();
    const ttft = Object.fromEntries(states.map((s) => [s.deployment.id, s.timeToFirstTokenMs!]));
    expect(ttft.slow).toBeGreaterThan(ttft.fast!);
  });

  it('lowest cost prices the estimated tokens; unpriced deployments come last', async () => {
    const router = harness(
      [
        { id: 'unpriced', modelName: 'main', providerId: 'pa', upstreamModel: 'unpriced' },
        { id: 'dear', modelName: 'main', providerId: 'pb', upstreamModel: 'dear', pricing: { input: 5_000_000n, output: 15_000_000n, cacheRead: null, cacheWrite: null } },
        { id: 'cheap', modelName: 'main', providerId: 'pc', upstreamModel: 'cheap', pricing: { input: 1_000_000n, output: 2_000_000n, cacheRead: null, cacheWrite: null } },
      ],
      { router: { groups: { main: { strategy: 'lowest-cost', retries: noRetries } } } },
    );
    upstream.scripts = { cheap: () => fail(503), dear: () => fail(503) };
    expect(tried(await router.create({ model: 'main' }))).toEqual(['cheap', 'dear', 'unpriced']);
  });

  it('usage based picks the most rpm/tpm headroom and skips deployments at their cap', async () => {
    const router = harness(
      [
        { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', rpm: 10 },
        { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', rpm: 4 },
      ],
      { router: { groups: { main: { strategy: 'usage-based' } } } },
    );
    // b has 4 requests of headroom, a 10: a first, until a's share left falls below b's.
    expect(tried(await router.create({ model: 'main' }))).toEqual(['a']);
    for (let i = 0; i < 3; i++) await router.create({ model: 'main', routing: { only: ['pa'] } });
    // a: 4/10 used (60% left); b: 0/4 used (100% left).
    expect(tried(await router.create({ model: 'main' }))).toEqual(['b']);
    for (let i = 0; i < 3; i++) await router.create({ model: 'main', routing: { only: ['pb'] } });
    const capped = await rejection(router.create({ model: 'main', routing: { only: ['pb'] } }));
    expect(capped).toMatchObject({ code: 'RATE_LIMITED' });
    expect(capped.retryAfterMs).toBeGreaterThan(0);
    // The next minute starts with fresh counters.
    router.clock.advance(60_000);
    expect(tried(await router.create({ model: 'main', routing: { only: ['pb'] } }))).toEqual(['b']);
  });
});

describe('provider preferences', () => {
  const priced = [
    { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', pricing: { input: 3_000_000n, output: 9_000_000n, cacheRead: null, cacheWrite: null } },
    { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', pricing: { input: 1_000_000n, output: 4_000_000n, cacheRead: null, cacheWrite: null } },
    { id: 'c', modelName: 'main', providerId: 'pc', upstreamModel: 'c', pricing: { input: 2_000_000n, output: 2_000_000n, cacheRead: null, cacheWrite: null } },
  ];

  const lastTried = (router: ReturnType<typeof harness>) => router.records.at(-1)!.attempts.map((a) => a.upstreamModel);
  const allFail = () => ({ a: () => fail(503), b: () => fail(503), c: () => fail(503) });

  it('order, only, ignore and allowFallbacks', async () => {
    const router = harness(priced, { router: { defaults: { retries: noRetries } } });
    upstream.scripts = allFail();
    await rejection(router.create({ model: 'main', routing: { order: ['pc', 'pb'] } }));
    expect(lastTried(router)).toEqual(['c', 'b', 'a']);
    await rejection(router.create({ model: 'main', routing: { order: ['pc', 'pb'], allowFallbacks: false } }));
    expect(lastTried(router)).toEqual(['c', 'b']);
    await rejection(router.create({ model: 'main', routing: { allowFallbacks: false } }));
    expect(lastTried(router)).toHaveLength(1);
    upstream.scripts = {};
    expect(tried(await router.create({ model: 'main', routing: { only: ['pb'] } }))).toEqual(['b']);
    expect(tried(await router.create({ model: 'main', routing: { ignore: ['pa', 'pb'] } }))).toEqual(['c']);
    const none = await rejection(router.create({ model: 'main', routing: { only: ['elsewhere'] } }));
    expect(none).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(none.message).toContain('routing preferences');
  });

  it('maxPrice, sort and the :floor and :nitro suffixes', async () => {
    const router = harness(priced, { router: { defaults: { retries: noRetries } } });
    upstream.scripts = allFail();
    // ~7 prompt tokens and 64 output tokens (maxOutputTokens) at $/1M (input, output):
    // c (2, 2) = 142 < b (1, 4) = 263 < a (3, 9) = 597.
    await rejection(router.create({ model: 'main', routing: { sort: 'price' } }));
    expect(lastTried(router)).toEqual(['c', 'b', 'a']);
    await rejection(router.create({ model: 'main:floor' }));
    expect(lastTried(router)).toEqual(['c', 'b', 'a']);
    upstream.scripts = {};
    // With a long answer expected, output prices weigh most: c is cheapest.
    expect(tried(await router.create({ model: 'main:floor', parameters: { ...helloParameters, maxOutputTokens: 4000 } }))).toEqual(['c']);
    // With a one-token answer, input prices decide: b is cheapest.
    expect(tried(await router.create({ model: 'main', routing: { sort: 'price' }, parameters: { ...helloParameters, maxOutputTokens: 1 } }))).toEqual(['b']);
    expect(tried(await router.create({ model: 'main', routing: { maxPrice: { input: 2_500_000n, output: 3_000_000n } } }))).toEqual(['c']);
    const nitro = await router.create({ model: 'main:nitro' });
    expect(nitro.model).toBe('main');
  });
});

const helloParameters = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Say hello' }] }] };

describe('context window', () => {
  const longPrompt = { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'word '.repeat(2000) }] }] };

  it('skips deployments whose window is too small and uses the configured larger-context model', async () => {
    const router = harness(
      [
        { id: 'small', modelName: 'main', providerId: 'pa', upstreamModel: 'small', contextLength: 1000 },
        { id: 'large', modelName: 'long', providerId: 'pb', upstreamModel: 'large', contextLength: 100_000 },
      ],
      { router: { groups: { main: { contextWindowFallbacks: ['long'] } } } },
    );
    const outcome = await router.create({ model: 'main', parameters: longPrompt });
    expect(tried(outcome)).toEqual(['large']);
    expect(outcome.model).toBe('long');
    expect(upstream.calls.small).toBeUndefined();
    // A short prompt still fits the small one.
    expect(tried(await router.create({ model: 'main' }))).toEqual(['small']);
  });

  it("without a chain, refuses before calling any upstream; an upstream's own context error takes the chain too", async () => {
    const router = harness(
      [
        { id: 'small', modelName: 'main', providerId: 'pa', upstreamModel: 'small', contextLength: 1000 },
        { id: 'unknown', modelName: 'other', providerId: 'pb', upstreamModel: 'unknown' },
        { id: 'large', modelName: 'long', providerId: 'pc', upstreamModel: 'large' },
      ],
      { router: { groups: { other: { contextWindowFallbacks: ['long'] } } } },
    );
    expect(await rejection(router.create({ model: 'main', parameters: longPrompt }))).toMatchObject({ code: 'CONTEXT_LENGTH_EXCEEDED' });
    expect(upstream.calls.small).toBeUndefined();
    upstream.scripts = { unknown: () => fail(400, { contextLength: true }) };
    expect(tried(await router.create({ model: 'other', parameters: longPrompt }))).toEqual(['unknown', 'large']);
  });
});

describe('parameters a model does not support', () => {
  const tools = [{ name: 'lookup', parameters: { type: 'object', properties: {} } }];
  const deployments = [
    { id: 'basic', modelName: 'main', providerId: 'pa', upstreamModel: 'basic', priority: 0 },
    { id: 'capable', modelName: 'main', providerId: 'pb', upstreamModel: 'capable', priority: 1 },
  ];
  const catalogModels = [
    catalogModel('pa', 'basic', ['STREAMING']),
    catalogModel('pb', 'capable', ['STREAMING', 'TOOLS', 'JSON_SCHEMA', 'VISION', 'REASONING']),
  ];
  const parameters = { ...helloParameters, tools, toolChoice: 'auto' as const, reasoning: { effort: 'low' as const } };
  const lastBody = () => upstream.requests().at(-1)!.body as Record<string, unknown>;

  it('with requireParameters, only deployments that support every feature are used', async () => {
    const router = harness(deployments, { catalogModels });
    const outcome = await router.create({ model: 'main', parameters, routing: { requireParameters: true } });
    expect(tried(outcome)).toEqual(['capable']);
    expect(outcome.warnings).toEqual([]);
    expect(lastBody()).toMatchObject({ tools: [{ type: 'function' }], reasoning_effort: 'low' });

    const nothing = await rejection(router.create({ model: 'main', parameters, routing: { requireParameters: true, only: ['pa'] } }));
    expect(nothing).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(nothing.message).toContain('TOOLS');
  });

  it('otherwise drops them from what that deployment is sent and says so, also on a stream', async () => {
    const router = harness(deployments, { catalogModels });
    const outcome = await router.create({ model: 'main', parameters });
    expect(tried(outcome)).toEqual(['basic']);
    expect(lastBody()).not.toHaveProperty('tools');
    expect(lastBody()).not.toHaveProperty('tool_choice');
    expect(lastBody()).not.toHaveProperty('reasoning_effort');
    expect(outcome.warnings).toEqual([
      'pa/basic does not support tools (tools, toolChoice, parallelToolCalls); the parameter was not sent',
      'pa/basic does not support reasoning (reasoning options); the parameter was not sent',
    ]);
    const events = await router.stream({ model: 'main', parameters });
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { warnings: outcome.warnings } });
    // Models the catalog does not know get every parameter as given.
    const unknown = harness([{ id: 'x', modelName: 'x', providerId: 'pc', upstreamModel: 'x' }]);
    expect((await unknown.create({ model: 'x', parameters })).warnings).toEqual([]);
    expect(lastBody()).toHaveProperty('tools');
  });
});

describe('streams', () => {
  const pair = [
    { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', priority: 0 },
    { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', priority: 1 },
  ];
  const text = (events: Array<{ type: string; text?: string }>) => events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');

  it('fall back while no token has been sent: refused, or cut before the first token', async () => {
    const router = harness(pair, { router: { defaults: { retries: noRetries } } });
    upstream.scripts = { a: () => fail(503) };
    let events = await router.stream({ model: 'main' });
    expect(text(events)).toBe('b');
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { attempts: [{ errorCode: 'OVERLOADED' }, { errorCode: null }] } });

    upstream.scripts = { a: () => ({ kind: 'cut', chunks: [] }) };
    events = await router.stream({ model: 'main' });
    expect(text(events)).toBe('b');
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { attempts: [{ errorCode: 'UPSTREAM_PROTOCOL_ERROR' }, { errorCode: null }] } });
  });

  it('do not fall back after the first token: the failure ends the stream and the partial output is billed', async () => {
    const router = harness(pair);
    upstream.scripts = { a: () => ({ kind: 'cut', chunks: ['partial ', 'answer'] }) };
    const events = await router.stream({ model: 'main' });
    expect(text(events)).toBe('partial answer');
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_PROTOCOL_ERROR' }, attempts: [{ upstreamModel: 'a' }] });
    expect(last.type === 'error' && last.usage.outputTokens).toBeGreaterThan(0);
    expect(upstream.calls.b).toBeUndefined();
    expect(router.records.at(-1)).toMatchObject({ status: 'ERROR', deploymentId: 'a' });
  });
});

describe('in-flight accounting', () => {
  it('frees the deployment when the consumer stops a stream early', async () => {
    const router = harness([{ id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a' }]);
    upstream.scripts = { a: () => ({ kind: 'hang', chunks: ['first'] }) };
    const inFlight = async () => (await router.service.deploymentStates())[0]!.inFlight;
    for await (const event of router.service.stream({ model: 'main', parameters: helloParameters }, new AbortController().signal)) {
      if (event.type === 'text-delta') {
        expect(await inFlight()).toBe(1);
        break;
      }
    }
    expect(await inFlight()).toBe(0);
    expect(router.records.at(-1)).toMatchObject({ status: 'CANCELLED' });
  });
});

describe('timeouts and deadlines', () => {
  const pair = [
    { id: 'a', modelName: 'main', providerId: 'pa', upstreamModel: 'a', priority: 0 },
    { id: 'b', modelName: 'main', providerId: 'pb', upstreamModel: 'b', priority: 1 },
  ];
  const slow = (gapMs: number): Scenario => ({ kind: 'text', chunks: ['slow ', 'answer'], usage: { input: 1, output: 2 }, gapMs });

  it('a slow first token times out and falls back; an idle gap after content ends the stream', async () => {
    const router = harness(pair, { realClock: true, router: { defaults: { timeouts: { firstTokenMs: 100, idleMs: 5000 } } } });
    upstream.scripts = { a: () => slow(150) };
    const events = await router.stream({ model: 'main' });
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { upstreamModel: 'b', attempts: [{ errorCode: 'TIMEOUT' }, { errorCode: null }] } });

    const idle = harness(pair, { realClock: true, router: { defaults: { timeouts: { firstTokenMs: 5000, idleMs: 100 } } } });
    upstream.calls = {};
    upstream.scripts = { a: () => slow(150) };
    const cut = await idle.stream({ model: 'main' });
    expect(cut.at(-1)).toMatchObject({ type: 'error', error: { code: 'TIMEOUT' } });
    expect(upstream.calls.b).toBeUndefined();
  });

  it('each timeout names the limit that ran out: first token, then the idle gap', async () => {
    const router = harness(pair, { realClock: true, router: { defaults: { timeouts: { firstTokenMs: 100, idleMs: 5000 } } } });
    upstream.scripts = { a: () => slow(150) };
    const events = await router.stream({ model: 'main' });
    expect(events.at(-1)).toMatchObject({ type: 'completed', outcome: { attempts: [{ errorMessage: expect.stringContaining('sent no token within 100 ms') }, {}] } });

    const idle = harness(pair, { realClock: true, router: { defaults: { timeouts: { firstTokenMs: 5000, idleMs: 100 } } } });
    upstream.scripts = { a: () => slow(150) };
    const cut = await idle.stream({ model: 'main' });
    expect(cut.at(-1)).toMatchObject({ type: 'error', error: { code: 'TIMEOUT', message: expect.stringContaining('sent nothing for 100 ms') } });
  });

  it("a deployment's timeoutMs bounds a non-streamed attempt", async () => {
    const router = harness(
      pair.map((spec) => (spec.id === 'a' ? { ...spec, timeoutMs: 100 } : spec)),
      { realClock: true },
    );
    upstream.scripts = { a: () => ({ kind: 'hang', chunks: ['never finishes'] }) };
    await timedOutThenServed(() => router.create({ model: 'main' }));
  });

  it("the request's deadline holds across fallbacks", async () => {
    const router = harness(pair, { realClock: true });
    upstream.scripts = { a: () => ({ kind: 'hang', chunks: ['x'] }), b: () => ({ kind: 'hang', chunks: ['x'] }) };
    const started = Date.now();
    const error = await rejection(router.create({ model: 'main', routing: { timeoutMs: 300 } }));
    const elapsed = Date.now() - started;
    expect(error.code).toBe('TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    // The deadline is the request's: not a fault of the deployment, and nothing after it.
    expect(router.records.at(-1)!.attempts.map((a) => a.upstreamModel)).toEqual(['a']);

    const events = await router.stream({ model: 'main', routing: { timeoutMs: 300 } });
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { code: 'TIMEOUT' } });
  });
});
