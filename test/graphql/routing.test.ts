// The router end to end: a gateway over real HTTP in front of two OpenAI upstream simulators, one
// of which fails 30% of its requests. Every request through the GraphQL and REST endpoints must
// still succeed; routing preferences, warnings, attempts and the admin `deployments` query are
// checked on the way.
import { beforeAll, describe, expect, it } from 'vitest';
import { testConfig, TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import type { Scenario } from '../helpers/upstream-scenario.ts';
import { useSimulator } from '../helpers/use-simulator.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const CREATE = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) {
  __typename
  ... on ChatCompletion { provider upstreamModel output { content } warnings attempts { provider errorCode upstreamStatus retry backoffMs } }
  ... on Error { code errorMessage: message }
} }`;
const DEPLOYMENTS = `query($model: String) { deployments(model: $model) {
  id model provider upstreamModel weight rpm tags region
  state { inFlight averageLatencyMs failuresInWindow cooledUntil requestsThisMinute }
} }`;

const answer = (text: string): Scenario => ({ kind: 'text', chunks: [text], usage: { input: 12, output: 3 } });

/** Runs `count` tasks with at most `width` at a time. */
async function inParallel<T>(count: number, width: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

describe('routing through the gateway', () => {
  const flaky = useSimulator(startOpenAISimulator);
  const steady = useSimulator(startOpenAISimulator);
  let flakyCalls = 0;
  let flakyFailures = 0;

  beforeAll(() => {
    // Deterministically 3 in every 10 requests fail, alternating kinds of failure.
    flaky.setScenario(() => {
      const call = flakyCalls++;
      if (call % 10 >= 3) return answer('from flaky');
      flakyFailures++;
      return call % 2 === 0 ? { kind: 'error', status: 503, message: 'flaky is overloaded' } : { kind: 'error', status: 500, message: 'flaky broke' };
    });
    steady.setScenario(answer('from steady'));
  });
  const { app } = useTestApp({
    config: () =>
      testConfig({
        providers: [
          { id: 'up-flaky', kind: 'openai', baseUrl: flaky.baseUrl, apiKey: 'sk-flaky' },
          { id: 'up-steady', kind: 'openai', baseUrl: steady.baseUrl, apiKey: 'sk-steady' },
        ],
        models: [
          { name: 'chat', provider: 'up-flaky', model: 'm-flaky', tags: ['eu'], region: 'eu-west-1', rpm: 100_000 },
          { name: 'chat', provider: 'up-steady', model: 'm-steady', weight: 1 },
          // A catalog model without reasoning support, for the dropped-parameter warning.
          { name: 'plain', provider: 'up-steady', model: 'gpt-4.1-mini' },
        ],
        // The breaker would soon take the flaky upstream out; keep it in rotation so fallbacks carry the load.
        router: { groups: { chat: { cooldown: { failures: 1_000_000 } } } },
      }),
  });

  const messages = [{ role: 'USER', content: 'Hello' }];

  it('serves 1,000 GraphQL requests without a failure while one upstream fails 30% of its requests', async () => {
    const first = await app.graphql(CREATE, { input: { model: 'chat', messages } });
    expect(first.errors).toBeUndefined();
    const failuresBefore = flakyFailures;
    const results = await inParallel(1000, 20, async () => (await app.graphql(CREATE, { input: { model: 'chat', messages } })).data?.createChatCompletion);
    const failed = results.filter((result) => result?.__typename !== 'ChatCompletion');
    expect(failed).toEqual([]);
    const fellBack = results.filter((result) => result.attempts.length > 1);
    expect(flakyFailures - failuresBefore).toBeGreaterThan(50);
    expect(fellBack.length).toBe(flakyFailures - failuresBefore);
    for (const result of fellBack) {
      expect(result.attempts[0]).toMatchObject({ provider: 'up-flaky', errorCode: expect.stringMatching(/OVERLOADED|UPSTREAM_ERROR/), retry: 0 });
      expect(result.attempts.at(-1)).toMatchObject({ errorCode: null });
    }
    expect(results.filter((result) => result.provider === 'up-flaky').length).toBeGreaterThan(200);
  }, 120_000);

  it('serves 200 REST requests, streamed and not, the same way', async () => {
    const statuses = await inParallel(200, 10, async (index) => {
      const stream = index % 2 === 0;
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], stream }),
      });
      const body = await response.text();
      if (response.status !== 200) return `${response.status} ${body}`;
      if (stream && (!body.includes('"finish_reason":"stop"') || body.includes('"error"'))) return `stream: ${body}`;
      return 'ok';
    });
    expect(statuses.filter((status) => status !== 'ok')).toEqual([]);
  }, 60_000);

  it('applies routing preferences from GraphQL and from the REST `provider` object', async () => {
    const only = await app.graphql(CREATE, { input: { model: 'chat', messages, routing: { only: ['up-steady'] } } });
    expect(only.data.createChatCompletion).toMatchObject({ provider: 'up-steady', attempts: [{ provider: 'up-steady' }] });
    const ignored = await app.graphql(CREATE, { input: { model: 'chat', messages, routing: { ignore: ['up-steady', 'up-flaky'] } } });
    expect(ignored.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'MODEL_NOT_FOUND' });
    const tooDear = await app.graphql(CREATE, { input: { model: 'plain', messages, routing: { maxPrice: { input: '0.01' } } } });
    expect(tooDear.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'MODEL_NOT_FOUND' });

    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], provider: { only: ['up-steady'] } }),
    });
    expect(await response.json()).toMatchObject({ provider: 'up-steady' });
  });

  it('reports dropped parameters as warnings in GraphQL and REST', async () => {
    const result = await app.graphql(CREATE, { input: { model: 'plain', messages, reasoning: { effort: 'LOW' } } });
    expect(result.data.createChatCompletion.warnings).toEqual(['up-steady/gpt-4.1-mini does not support reasoning (reasoning options); the parameter was not sent']);
    expect(steady.requests.at(-1)!.body).not.toHaveProperty('reasoning_effort');
    const refused = await app.graphql(CREATE, { input: { model: 'plain', messages, reasoning: { effort: 'LOW' }, routing: { requireParameters: true } } });
    expect(refused.data.createChatCompletion).toMatchObject({ __typename: 'GatewayError', code: 'MODEL_NOT_FOUND' });

    const response = await fetch(`${app.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ model: 'plain', messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: 'low' }),
    });
    expect((await response.json()).warnings).toEqual([expect.stringContaining('reasoning')]);
  });

  it('shows every deployment with its live state to admins only', async () => {
    // requestsThisMinute counts the current calendar minute: on a loaded machine the earlier
    // cases may have ended in the previous one, so a few requests now make the count this minute's.
    await inParallel(40, 10, async () => app.graphql(CREATE, { input: { model: 'chat', messages } }));
    const result = await app.graphql(DEPLOYMENTS, { model: 'chat' });
    expect(result.errors).toBeUndefined();
    const byProvider = Object.fromEntries(result.data.deployments.map((d: any) => [d.provider, d]));
    expect(byProvider['up-flaky']).toMatchObject({ model: 'chat', upstreamModel: 'm-flaky', tags: ['eu'], region: 'eu-west-1', rpm: 100_000, weight: 1 });
    expect(byProvider['up-flaky'].state.failuresInWindow).toBeGreaterThan(0);
    expect(byProvider['up-flaky'].state.requestsThisMinute).toBeGreaterThan(0);
    expect(byProvider['up-steady'].state).toMatchObject({ inFlight: 0, cooledUntil: null });
    expect(byProvider['up-steady'].state.averageLatencyMs).toBeGreaterThan(0);

    const anonymous = await app.graphql(DEPLOYMENTS, {}, { authorization: '' });
    expect(anonymous.data).toBeFalsy();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const inference = await app.createKey({ scopes: ['INFERENCE'] });
    const forbidden = await app.graphql(DEPLOYMENTS, {}, { authorization: `Bearer ${inference.secret}` });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
