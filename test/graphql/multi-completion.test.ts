// Several models in one request: the createChatCompletions mutation and the chatCompletionStreams
// subscription, over HTTP, WebSocket and SSE, against the mock provider.
import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribeSse, subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { testConfig, TEST_ADMIN_KEY } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const MANY = `mutation($inputs: [ChatCompletionInput!]!) { createChatCompletions(inputs: $inputs) {
  __typename
  ... on ChatCompletion { id model output { content } usage { outputTokens } cost }
  ... on GatewayError { code errorMessage: message }
} }`;

const STREAMS = `subscription($input: ChatCompletionInput!, $models: [String!]!) { chatCompletionStreams(input: $input, models: $models) {
  model index
  event {
    __typename
    ... on ChatCompletionStarted { id }
    ... on ChatTextDelta { text }
    ... on ChatCompletionCompleted { cost usage { outputTokens } completion { model output { content } } }
    ... on ChatCompletionFailed { id code message }
  }
} }`;

const SMALL = 'mock/mock-small';
const LARGE = 'mock/mock-large';
const input = (model: string, extra: Record<string, unknown> = {}) => ({ model, messages: [{ role: 'USER', content: 'compare us' }], ...extra });
const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Each model's events in arrival order, keyed by index. */
function byModel(events: any[]): Map<number, any[]> {
  const grouped = new Map<number, any[]>();
  for (const { chatCompletionStreams: tagged } of events) {
    grouped.set(tagged.index, [...(grouped.get(tagged.index) ?? []), tagged]);
  }
  return grouped;
}

describe('multi-model completions', () => {
  const { app } = useTestApp({ config: () => testConfig({
        providers: [
          { id: 'mock', kind: 'mock', mock: { tokensPerSecond: 50, firstTokenLatencyMs: 300 } },
          // Answers after a minute: only an abort ends its streams in time.
          { id: 'slow', kind: 'mock', mock: { firstTokenLatencyMs: 60_000 } },
        ],
      }) });

  it('runs the inputs concurrently and returns one result or typed error per input, in order', async () => {
    const started = Date.now();
    const response = await app.graphql(MANY, { inputs: [input(SMALL), input('nope/nothing'), input(LARGE), input(SMALL, { temperature: 9 })] });
    const elapsed = Date.now() - started;
    expect(response.errors).toBeUndefined();
    const [small, unknown, large, invalid] = response.data.createChatCompletions;
    expect(small).toMatchObject({ __typename: 'ChatCompletion', model: SMALL });
    expect(large).toMatchObject({ __typename: 'ChatCompletion', model: LARGE });
    expect(small.output.content).toContain('compare us');
    expect(Number(small.cost)).toBeGreaterThan(0);
    // The large model's price is 25x the small one's for the same tokens.
    expect(Number(large.cost)).toBeGreaterThan(Number(small.cost));
    expect(unknown).toMatchObject({ __typename: 'GatewayError', code: 'MODEL_NOT_FOUND' });
    expect(invalid).toMatchObject({ __typename: 'GatewayError', code: 'INVALID_REQUEST' });
    expect(invalid.errorMessage).toContain('temperature');
    // Each mock answer takes 300 ms + ~15 tokens at 50/s (~600 ms); run one after the other they take over 1.8 s.
    expect(elapsed).toBeLessThan(1500);
  });

  it('refuses an empty or oversized list', async () => {
    const empty = await app.graphql(MANY, { inputs: [] });
    expect(empty.errors[0]).toMatchObject({ extensions: { code: 'INVALID_REQUEST' } });
    const many = await app.graphql(MANY, { inputs: Array.from({ length: 9 }, () => input(SMALL)) });
    expect(many.errors[0].message).toMatch(/between 1 and 8/);
  });

  it('meters, rate-limits and authorizes each completion as its own call', async () => {
    const key = await app.createKey({ name: 'compare', scopes: ['INFERENCE', 'READ_USAGE'], limits: { rpm: 2 } });
    const response = await app.graphql(MANY, { inputs: [input(SMALL), input(LARGE), input(SMALL)] }, bearer(key.secret));
    const results = response.data.createChatCompletions;
    expect(results.filter((result: any) => result.__typename === 'ChatCompletion')).toHaveLength(2);
    expect(results.filter((result: any) => result.code === 'RATE_LIMITED')).toHaveLength(1);
    const completed = results.filter((result: any) => result.__typename === 'ChatCompletion');
    const usage = await eventually(
      () => app.graphql('{ usage { totals { requests cost } } }', {}, bearer(key.secret)),
      (value) => value.data?.usage.totals.requests >= 2,
    );
    const expectedCost = completed.reduce((sum: number, result: any) => sum + Number(result.cost), 0);
    expect(Number(usage.data.usage.totals.cost)).toBeCloseTo(expectedCost, 9);

    const noInference = await app.createKey({ name: 'usage only', scopes: ['READ_USAGE'] });
    const refused = await app.graphql(MANY, { inputs: [input(SMALL)] }, bearer(noInference.secret));
    expect(refused.errors[0].extensions.code).toBe('FORBIDDEN');
    const client = wsClient(app.wsUrl, bearer(noInference.secret));
    await expect(subscribeWs(client, STREAMS, { input: input(SMALL), models: [SMALL] })).rejects.toThrow(/FORBIDDEN|lacks the required scope/);
    await client.dispose();
  });

  for (const transport of ['ws', 'sse'] as const) {
    it(`streams both models interleaved over ${transport === 'ws' ? 'WebSocket' : 'SSE'}, each ending with its own completion, then completes`, async () => {
      const variables = { input: input('ignored', { maxOutputTokens: 12 }), models: [SMALL, LARGE] };
      const client = wsClient(app.wsUrl);
      const events = transport === 'ws' ? await subscribeWs(client, STREAMS, variables) : await subscribeSse(app.graphqlUrl, STREAMS, variables);
      await client.dispose();

      const grouped = byModel(events);
      expect([...grouped.keys()].sort()).toEqual([0, 1]);
      for (const [index, model] of [SMALL, LARGE].entries()) {
        const own = grouped.get(index)!;
        expect(own.every((tagged) => tagged.model === model)).toBe(true);
        expect(own[0].event.__typename).toBe('ChatCompletionStarted');
        expect(own.at(-1).event).toMatchObject({ __typename: 'ChatCompletionCompleted', completion: { model }, usage: { outputTokens: 12 } });
        expect(Number(own.at(-1).event.cost)).toBeGreaterThan(0);
        expect(own.filter((tagged) => tagged.event.__typename === 'ChatCompletionCompleted')).toHaveLength(1);
        const text = own.flatMap((tagged) => (tagged.event.__typename === 'ChatTextDelta' ? [tagged.event.text] : [])).join('');
        expect(text).toBe(own.at(-1).event.completion.output.content);
      }
      // Interleaved, not one model after the other: the models alternate more than once.
      const order = events.map((event: any) => event.chatCompletionStreams.index);
      const switches = order.filter((index: number, position: number) => position > 0 && index !== order[position - 1]).length;
      expect(switches).toBeGreaterThan(2);
    });
  }

  it('gives every model its own failure: an unknown model fails alone, an invalid input fails all', async () => {
    const client = wsClient(app.wsUrl);
    const mixed = byModel(await subscribeWs(client, STREAMS, { input: input('ignored', { maxOutputTokens: 3 }), models: [SMALL, 'nope/nothing'] }));
    expect(mixed.get(0)!.at(-1).event.__typename).toBe('ChatCompletionCompleted');
    expect(mixed.get(1)!.at(-1).event).toMatchObject({ __typename: 'ChatCompletionFailed', code: 'MODEL_NOT_FOUND' });

    const invalid = byModel(await subscribeWs(client, STREAMS, { input: input('ignored', { maxOutputTokens: 0 }), models: [SMALL, LARGE] }));
    for (const index of [0, 1]) expect(invalid.get(index)!.map((tagged) => tagged.event)).toEqual([expect.objectContaining({ __typename: 'ChatCompletionFailed', code: 'INVALID_REQUEST' })]);

    await expect(subscribeWs(client, STREAMS, { input: input('ignored'), models: [] })).rejects.toThrow(/between 1 and 8/);
    await client.dispose();
  });

  it('stops every model when the client unsubscribes, and meters each as cancelled', async () => {
    const client = wsClient(app.wsUrl);
    const started: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe(
        { query: STREAMS, variables: { input: input('ignored', { maxOutputTokens: 500, messages: [{ role: 'USER', content: 'long '.repeat(100) }] }), models: [SMALL, LARGE] } },
        {
          next: (message: any) => {
            const tagged = message.data?.chatCompletionStreams;
            if (tagged?.event.__typename === 'ChatCompletionStarted') started.push(tagged.event.id);
            if (tagged?.event.__typename === 'ChatTextDelta') {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => reject(new Error('completed before it was stopped')),
        },
      );
    });
    expect(started).toHaveLength(2);
    for (const id of started) {
      const generation = await eventually(
        () => app.graphql('query($id: ID!) { generation(id: $id) { status cancelledByClient } }', { id }),
        (value) => value.data?.generation !== null && value.data?.generation !== undefined,
      );
      expect(generation.data.generation).toEqual({ status: 'CANCELLED', cancelledByClient: true });
    }
    await client.dispose();
  });

  it('aborts upstream calls still waiting for their first token when the client unsubscribes', async () => {
    // Not lazy: the socket stays open after the unsubscribe, so only the subscription's own abort can end the calls.
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    const started: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const stop = client.subscribe(
        { query: STREAMS, variables: { input: input('ignored'), models: ['slow/mock-small', 'slow/mock-large'] } },
        {
          next: (message: any) => {
            const tagged = message.data?.chatCompletionStreams;
            if (tagged?.event.__typename === 'ChatCompletionStarted') started.push(tagged.event.id);
            if (started.length === 2) {
              stop();
              resolve();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    for (const id of started) {
      const generation = await eventually(
        () => app.graphql('query($id: ID!) { generation(id: $id) { status } }', { id }),
        (value) => value.data?.generation != null,
        5_000,
      );
      expect(generation.data.generation.status).toBe('CANCELLED');
    }
    await client.dispose();
  });
});
