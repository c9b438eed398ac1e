// A key that stops being valid (revoked, disabled, expired) ends its open subscriptions and
// streams within a second, each with its terminal event: ChatCompletionFailed or an UNAUTHENTICATED
// error over GraphQL (graphql-ws and SSE), the API's error event over REST SSE; also when the
// revocation was made on another instance. Before, a revoked admin's `usageEvents` kept
// delivering every tenant's records and chat streams ran to their end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import type { KeyAuthenticator } from '../../src/core/keys/key-authenticator.ts';
import { wsClient } from '../helpers/graphql-streams.ts';
import { liveGraphqlSse, liveRestSse, liveWs, type LiveStream } from '../helpers/live-streams.ts';
import { startSharedInstances, type SharedInstances } from '../helpers/shared-instances.ts';
import { testConfig, type TestApp } from '../helpers/test-app.ts';
import type { RecordedRequest, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { useSimulator } from '../helpers/use-simulator.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const CHAT = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename
  ... on ChatCompletionStarted { id }
  ... on ChatTextDelta { text }
  ... on ChatCompletionFailed { code message }
} }`;
const USAGE = 'subscription { usageEvents { id keyId } }';
const input = { model: 'gpt-test', messages: [{ role: 'USER', content: 'Hi' }] };
type GraphQLPayload = { data?: any; errors?: any[] };

const isDelta = (payload: GraphQLPayload) => payload.data?.chatCompletionStream?.__typename === 'ChatTextDelta';
const isFailed = (payload: GraphQLPayload) => payload.data?.chatCompletionStream?.__typename === 'ChatCompletionFailed';

function streamingConfig(upstream: UpstreamSimulator): AppConfig {
  return testConfig({
    providers: [{ id: 'oai', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-upstream' }],
    models: [{ name: 'gpt-test', provider: 'oai', model: 'gpt-5-mini', pricing: { input: 1, output: 2 } }],
  });
}

/** Streams hang after their first delta (until the gateway closes them); plain requests answer. */
function hangStreams(upstream: UpstreamSimulator): void {
  upstream.setScenario((request: RecordedRequest) =>
    (request.body as { stream?: boolean }).stream ? { kind: 'hang', chunks: ['thinking…'] } : { kind: 'text', chunks: ['ok'], usage: { input: 3, output: 1 } },
  );
}

const revoke = (app: TestApp, id: string) => app.graphql('mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id });

/** Makes usage records (one completion by the master key at a time) until the subscription delivers one: it is live. */
async function untilUsageDelivered(app: TestApp, usage: LiveStream<GraphQLPayload>): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const result = await app.graphql('mutation { createChatCompletion(input: { model: "gpt-test", messages: [{ role: USER, content: "Hi" }] }) { __typename } }');
    expect(result.errors).toBeUndefined();
    try {
      await usage.waitFor((payload) => payload.data?.usageEvents?.id !== undefined, 1000);
      return;
    } catch {
      // not subscribed yet when that record was published: another one
    }
  }
  throw new Error('usageEvents delivered nothing');
}

describe('streams and subscriptions of a key that stops being valid', () => {
  const upstream = useSimulator(startOpenAISimulator);
  beforeAll(() => hangStreams(upstream));
  const { app } = useTestApp({ config: () => streamingConfig(upstream) });

  it('revoking an admin key ends its graphql-ws chat stream and usageEvents within 1 s, metered as an error', async () => {
    const { id, secret } = await app.createKey({ name: 'revoked admin', scopes: ['ADMIN', 'INFERENCE'] });
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${secret}` });
    try {
      const usage = liveWs(client, USAGE);
      const chat = liveWs(client, CHAT, { input });
      await chat.waitFor(isDelta);
      // The admin key sees other tenants' records (here the master key's) while it is valid.
      await untilUsageDelivered(app, usage);

      const revokedAt = Date.now();
      await revoke(app, id);
      const failed = await chat.waitFor(isFailed);
      expect(failed.value.data!.chatCompletionStream).toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API key has been revoked' });
      expect((await chat.ended) - revokedAt).toBeLessThan(1000);
      const refused = await usage.waitFor((payload) => payload.errors !== undefined);
      expect(refused.value.errors![0]).toMatchObject({ message: 'This API key has been revoked', extensions: { code: 'UNAUTHENTICATED' } });
      expect((await usage.ended) - revokedAt).toBeLessThan(1000);

      // Nothing more is delivered to the revoked key, and its stream is billed as ended by the gateway.
      const deliveredBefore = usage.events.length;
      await app.graphql('mutation { createChatCompletion(input: { model: "gpt-test", messages: [{ role: USER, content: "Hi" }] }) { __typename } }');
      const generationId = chat.events[0]!.value.data!.chatCompletionStream.id as string;
      let record: any = null;
      for (let wait = 0; wait < 50 && !record; wait++) {
        record = (await app.graphql('query($id: ID!) { generation(id: $id) { status errorCode } }', { id: generationId })).data?.generation;
        if (!record) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(record).toEqual({ status: 'ERROR', errorCode: 'UNAUTHENTICATED' });
      expect(usage.events.length).toBe(deliveredBefore);
    } finally {
      await client.dispose();
    }
  });

  it('disabling a key ends its GraphQL-over-SSE chat stream and usageEvents within 1 s', async () => {
    const { id, secret } = await app.createKey({ name: 'disabled', scopes: ['READ_USAGE', 'INFERENCE'] });
    const auth = { authorization: `Bearer ${secret}` };
    const usage = liveGraphqlSse(app.graphqlUrl, USAGE, {}, auth);
    const chat = liveGraphqlSse(app.graphqlUrl, CHAT, { input }, auth);
    try {
      await chat.waitFor(isDelta);
      // The key's own usage record: a plain completion with the key.
      for (let attempt = 0; attempt < 10 && !usage.events.length; attempt++) {
        await app.graphql('mutation { createChatCompletion(input: { model: "gpt-test", messages: [{ role: USER, content: "Hi" }] }) { __typename } }', {}, auth);
        await usage.waitFor((payload) => payload.data?.usageEvents?.keyId === id, 1000).catch(() => undefined);
      }
      expect(usage.events.length).toBeGreaterThan(0);

      const disabledAt = Date.now();
      await app.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { disabled: true }) { __typename } }', { id });
      const failed = await chat.waitFor(isFailed);
      expect(failed.value.data!.chatCompletionStream).toMatchObject({ code: 'UNAUTHENTICATED', message: 'This API key is disabled' });
      expect((await chat.ended) - disabledAt).toBeLessThan(1000);
      const refused = await usage.waitFor((payload) => payload.errors !== undefined);
      expect(refused.value.errors![0].extensions.code).toBe('UNAUTHENTICATED');
      expect((await usage.ended) - disabledAt).toBeLessThan(1000);
    } finally {
      usage.cancel();
      chat.cancel();
    }
  });

  it('revoking a key ends its OpenAI and Anthropic REST streams within 1 s with their error events', async () => {
    const { id, secret } = await app.createKey({ name: 'rest', scopes: ['INFERENCE'] });
    const openai = liveRestSse(`${app.url}/v1/chat/completions`, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }, { authorization: `Bearer ${secret}` });
    const anthropic = liveRestSse(
      `${app.url}/v1/messages`,
      { model: 'gpt-test', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { 'x-api-key': secret, 'anthropic-version': '2023-06-01' },
    );
    try {
      await openai.waitFor((frame) => frame.data?.choices?.[0]?.delta?.content === 'thinking…');
      await anthropic.waitFor((frame) => frame.event === 'content_block_delta');

      const revokedAt = Date.now();
      await revoke(app, id);
      expect((await openai.ended) - revokedAt).toBeLessThan(1000);
      expect((await anthropic.ended) - revokedAt).toBeLessThan(1000);
      const openaiFrames = openai.events.map((event) => event.value);
      expect(openaiFrames.at(-2)!.data.error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated', message: 'This API key has been revoked' });
      expect(openaiFrames.at(-1)!.data).toBe('[DONE]');
      expect(anthropic.events.at(-1)!.value).toEqual({
        event: 'error',
        data: { type: 'error', error: { type: 'authentication_error', message: 'This API key has been revoked' } },
      });
    } finally {
      openai.cancel();
      anthropic.cancel();
    }
  });

  it('a key that expires during a stream ends it within 1 s of its expiry', async () => {
    const expiresAt = Date.now() + 2500;
    const { secret } = await app.createKey({ name: 'expiring', scopes: ['INFERENCE'], expiresAt: new Date(expiresAt).toISOString() });
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${secret}` });
    try {
      const chat = liveWs(client, CHAT, { input });
      await chat.waitFor(isDelta);
      expect(Date.now()).toBeLessThan(expiresAt);
      const failed = await chat.waitFor(isFailed, 5000);
      expect(failed.value.data!.chatCompletionStream).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/^This API key expired at /) });
      const endedAt = await chat.ended;
      expect(endedAt).toBeGreaterThanOrEqual(expiresAt);
      expect(endedAt - expiresAt).toBeLessThan(1000);
    } finally {
      await client.dispose();
    }
  });

  it('stops watching a key once its streams end or are cancelled', async () => {
    const sessions = (app.app.services.authenticator as KeyAuthenticator).sessions;
    const { secret } = await app.createKey({ name: 'watched', scopes: ['INFERENCE'] });
    const auth = { authorization: `Bearer ${secret}` };
    const client = wsClient(app.wsUrl, auth);
    try {
      const ticks = liveWs(client, 'subscription { time(intervalMs: 10, count: 2) }');
      const chat = liveWs(client, CHAT, { input });
      const sse = liveGraphqlSse(app.graphqlUrl, CHAT, { input }, auth);
      const rest = liveRestSse(`${app.url}/v1/chat/completions`, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }, auth);
      await Promise.all([ticks.ended, chat.waitFor(isDelta), sse.waitFor(isDelta), rest.waitFor((frame) => frame.data?.choices?.[0]?.delta?.content === 'thinking…')]);
      expect(sessions.openCount).toBe(3);
      chat.cancel();
      sse.cancel();
      rest.cancel();
      for (let wait = 0; wait < 50 && sessions.openCount > 0; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sessions.openCount).toBe(0);
    } finally {
      await client.dispose();
    }
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('a revocation made on another instance', () => {
  const upstream = useSimulator(startOpenAISimulator);
  let instances: SharedInstances;

  beforeAll(async () => {
    hangStreams(upstream);
    instances = await startSharedInstances(streamingConfig(upstream));
  });
  afterAll(async () => {
    await instances?.stop();
  });

  it("ends the key's streams on this instance within 1 s (through the change notification)", async () => {
    const [a, b] = instances.apps as [TestApp, TestApp];
    const { id, secret } = await a.createKey({ name: 'revoked elsewhere', scopes: ['INFERENCE'] });
    const client = wsClient(b.wsUrl, { authorization: `Bearer ${secret}` });
    const rest = liveRestSse(`${b.url}/v1/chat/completions`, { model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }, { authorization: `Bearer ${secret}` });
    try {
      const chat = liveWs(client, CHAT, { input });
      await chat.waitFor(isDelta);
      await rest.waitFor((frame) => frame.data?.choices?.[0]?.delta?.content === 'thinking…');

      const revokedAt = Date.now();
      await revoke(a, id);
      expect((await chat.waitFor(isFailed)).value.data!.chatCompletionStream.code).toBe('UNAUTHENTICATED');
      expect((await chat.ended) - revokedAt).toBeLessThan(1000);
      expect((await rest.ended) - revokedAt).toBeLessThan(1000);
      expect(rest.events.at(-2)!.value.data.error.type).toBe('authentication_error');
    } finally {
      rest.cancel();
      await client.dispose();
    }
  });
});
