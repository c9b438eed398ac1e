// Client texts that reach the database (end-user id, model name, metadata, admin names) are
// bounded and must be storable: a value too long for an index or holding a NUL / lone surrogate
// is refused at every edge with a 400 (OpenAI or Anthropic error body naming the field) or a typed
// GraphQL error, before any budget lookup or usage record; a value at the limit is served and
// metered. Issue 15, items 1 and 2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUT_LIMITS } from '../../src/core/input-limits.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const TOO_LONG_USER = 'u'.repeat(INPUT_LIMITS.endUserLength + 1);
const NUL_USER = 'x\u0000y';
const LONE_SURROGATE_USER = 'x\ud800y';

/** Each bad end-user id and the reason it is refused with. */
const badUsers: Array<[label: string, value: string, reason: RegExp]> = [
  ['257 characters', TOO_LONG_USER, /must be at most 256 characters \(got 257\)/],
  ['a NUL byte', NUL_USER, /must not contain NUL characters/],
  ['a lone surrogate', LONE_SURROGATE_USER, /must be valid Unicode text/],
];

let database: Database;
let app: TestApp;
let secret: string;

beforeAll(async () => {
  database = await databaseCases[0]!.open();
  app = await startTestApp(
    testConfig({
      providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }],
      models: [{ name: 'chat', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } }],
    }),
    database,
  );
  ({ secret } = await app.createKey({ name: 'bounds', scopes: ['INFERENCE'] }));
});
afterAll(async () => {
  await app?.stop();
  await database?.close();
});

const post = (path: string, body: unknown, headers: Record<string, string> = bearer(secret)) =>
  fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const openaiChat = (extra: Record<string, unknown>) => post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });
const anthropicMessages = (extra: Record<string, unknown>) =>
  post('/v1/messages', { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }], ...extra }, { 'x-api-key': secret, 'anthropic-version': '2023-06-01' });

const GRAPHQL_CHAT = `mutation($input: ChatCompletionInput!) {
  createChatCompletion(input: $input) { __typename ... on ChatCompletion { id } ... on Error { code message } }
}`;
const GRAPHQL_EMBEDDINGS = `mutation($input: EmbeddingsInput!) {
  createEmbeddings(input: $input) { __typename ... on Error { code message } }
}`;
const chatInput = (extra: Record<string, unknown>) => ({ model: 'chat', messages: [{ role: 'USER', content: 'hi' }], ...extra });

/** The usage records written or buffered so far: a refused request must add none. */
const recordsSoFar = () => {
  const status = app.app.services.health.metering();
  return status.written + status.buffered + status.deadLettered;
};

describe('end-user ids that cannot be stored are refused at every edge, before any usage record', () => {
  it.each(badUsers)('%s', async (_label, user, reason) => {
    const before = recordsSoFar();

    const openai = await openaiChat({ user });
    expect(openai.status).toBe(400);
    const openaiError = (await openai.json()).error;
    expect(openaiError).toMatchObject({ type: 'invalid_request_error', param: 'user' });
    expect(openaiError.message).toMatch(reason);

    const embeddings = await post('/v1/embeddings', { model: 'chat', input: 'hi', user });
    expect(embeddings.status).toBe(400);
    expect((await embeddings.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'user', message: expect.stringMatching(reason) });

    const anthropic = await anthropicMessages({ metadata: { user_id: user } });
    expect(anthropic.status).toBe(400);
    expect(await anthropic.json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/^metadata\.user_id: /) } });
    const streamed = await anthropicMessages({ metadata: { user_id: user }, stream: true });
    expect(streamed.status).toBe(400);

    // GraphQL: a length is checked by the resolver (a typed INVALID_REQUEST result naming `user`);
    // text that cannot be stored by the input guard, before execution (a GraphQL error naming the variable).
    const graphqlChat = await app.graphql(GRAPHQL_CHAT, { input: chatInput({ user }) }, bearer(secret));
    const graphqlEmbeddings = await app.graphql(GRAPHQL_EMBEDDINGS, { input: { model: 'chat', input: ['hi'], user } }, bearer(secret));
    if (user === TOO_LONG_USER) {
      expect(graphqlChat.data.createChatCompletion).toEqual({ __typename: 'GatewayError', code: 'INVALID_REQUEST', message: expect.stringMatching(/^user: /) });
      expect(graphqlEmbeddings.data.createEmbeddings).toEqual({ __typename: 'GatewayError', code: 'INVALID_REQUEST', message: expect.stringMatching(/^user: /) });
    } else {
      for (const response of [graphqlChat, graphqlEmbeddings]) {
        expect(response.data ?? null).toBeNull();
        expect(response.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(reason), extensions: { code: 'INVALID_REQUEST', field: '$input.user' } })]);
      }
    }
    // The same over WebSocket, for a subscription.
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${secret}` });
    try {
      const subscription = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) { __typename ... on ChatCompletionFailed { code message } } }`;
      const events = await subscribeWs(client, subscription, { input: chatInput({ user }) }).catch((error: Error) => error);
      if (user === TOO_LONG_USER) expect(events).toEqual([{ chatCompletionStream: { __typename: 'ChatCompletionFailed', code: 'INVALID_REQUEST', message: expect.stringMatching(/^user: /) } }]);
      else expect((events as Error).message).toMatch(/INVALID_REQUEST/);
    } finally {
      await client.dispose();
    }

    await usageFlushed(app);
    expect(recordsSoFar()).toBe(before);
  });

  it('names the place of a bad string nested in a variable: list index, field, and an object key', async () => {
    const messages = [
      { role: 'USER', content: 'hi' },
      { role: 'USER', content: 'x\u0000y' },
    ];
    const nested = await app.graphql(GRAPHQL_CHAT, { input: chatInput({ messages }) }, bearer(secret));
    expect(nested.errors).toEqual([
      expect.objectContaining({ message: '$input.messages[1].content: must not contain NUL characters', extensions: { code: 'INVALID_REQUEST', field: '$input.messages[1].content' } }),
    ]);
    const badKey = await app.graphql(GRAPHQL_CHAT, { input: chatInput({ metadata: { 'a\u0000b': 'c' } }) }, bearer(secret));
    expect(badKey.errors).toEqual([expect.objectContaining({ extensions: { code: 'INVALID_REQUEST', field: '$input.metadata' } })]);
  });

  it('refuses a NUL byte in an inline GraphQL literal too, naming the argument path', async () => {
    const response = await app.graphql(`mutation { createChatCompletion(input: { model: "chat", messages: [{ role: USER, content: "hi" }], user: "x\\u0000y" }) { __typename } }`, {}, bearer(secret));
    expect(response.errors).toEqual([expect.objectContaining({ message: 'input.user: must not contain NUL characters', extensions: { code: 'INVALID_REQUEST', field: 'input.user' } })]);
  });
});

describe('model names and metadata are bounded', () => {
  const tooLongModel = 'm'.repeat(INPUT_LIMITS.modelNameLength + 1);

  it('refuses a model name past 256 characters on REST, Anthropic and GraphQL', async () => {
    const openai = await openaiChat({ model: tooLongModel });
    expect(openai.status).toBe(400);
    expect((await openai.json()).error).toMatchObject({ param: 'model', message: expect.stringMatching(/must be at most 256 characters/) });
    const fallback = await openaiChat({ models: ['chat', tooLongModel] });
    expect((await fallback.json()).error).toMatchObject({ param: 'models[1]' });
    const anthropic = await anthropicMessages({ model: tooLongModel });
    expect(anthropic.status).toBe(400);
    expect((await anthropic.json()).error.message).toMatch(/^model: must be at most 256 characters/);
    const graphql = await app.graphql(GRAPHQL_CHAT, { input: chatInput({ model: tooLongModel }) }, bearer(secret));
    expect(graphql.data.createChatCompletion).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(/^model: must be at most 256/) });
  });

  it('refuses more than 16 metadata pairs, keys past 64 and values past 512 characters, naming the field', async () => {
    const pairs = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
    const cases: Array<[metadata: Record<string, string>, param: string, message: RegExp]> = [
      [pairs(17), 'metadata', /at most 16 key\/value pairs/],
      [{ ['k'.repeat(65)]: 'v' }, 'metadata', /must be at most 64 characters/],
      [{ note: 'v'.repeat(513) }, 'metadata.note', /must be at most 512 characters/],
      [{ note: 'a\u0000b' }, 'metadata.note', /NUL/],
    ];
    for (const [metadata, param, message] of cases) {
      const openai = await openaiChat({ metadata });
      expect(openai.status).toBe(400);
      expect((await openai.json()).error).toMatchObject({ param, message: expect.stringMatching(message) });
      const graphql = await app.graphql(GRAPHQL_CHAT, { input: chatInput({ metadata }) }, bearer(secret));
      const refusal = graphql.data?.createChatCompletion ?? graphql.errors[0];
      expect(refusal.message).toMatch(message);
    }
  });

  it('serves and meters requests at the limits', async () => {
    const user = 'e'.repeat(INPUT_LIMITS.endUserLength);
    const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, 'k'), 'v'.repeat(512)]));
    expect((await openaiChat({ user, metadata })).status).toBe(200);
    expect((await anthropicMessages({ metadata: { user_id: user } })).status).toBe(200);
    expect((await app.graphql(GRAPHQL_CHAT, { input: chatInput({ user, metadata }) }, bearer(secret))).data.createChatCompletion.__typename).toBe('ChatCompletion');
    await usageFlushed(app);
    const report = await app.graphql(`query($u: String!) { usageEvents(first: 10, filter: { endUsers: [$u] }) { edges { node { status endUser } } } }`, { u: user });
    expect(report.data.usageEvents.edges.map((edge: any) => edge.node)).toEqual(Array(3).fill({ status: 'SUCCESS', endUser: user }));
  });
});

describe('admin inputs are bounded and storable', () => {
  it('refuses key and team names past 200 characters or with a NUL, and end-user budget ids past 256', async () => {
    const createKey = (name: string) =>
      app.graphql(`mutation($name: String!) { createApiKey(input: { name: $name }) { __typename ... on Error { code message } } }`, { name });
    expect((await createKey('k'.repeat(201))).data.createApiKey).toEqual({ __typename: 'GatewayError', code: 'INVALID_REQUEST', message: 'name: must be 1 to 200 characters' });
    expect((await createKey('a\u0000b')).errors[0]).toMatchObject({ message: '$name: must not contain NUL characters', extensions: { code: 'INVALID_REQUEST' } });
    const createTeam = await app.graphql(`mutation($name: String!) { createTeam(input: { name: $name }) { __typename ... on Error { code message } } }`, { name: 't'.repeat(201) });
    expect(createTeam.data.createTeam).toMatchObject({ code: 'INVALID_REQUEST', message: 'name: must be 1 to 200 characters' });
    const setBudget = (scopeId: string) =>
      app.graphql(`mutation($id: String!) { setBudget(input: { scope: END_USER, scopeId: $id, amount: "1", period: DAILY }) { __typename ... on Error { code message } } }`, { id: scopeId });
    expect((await setBudget('e'.repeat(256))).data.setBudget.__typename).not.toBe('GatewayError');
    expect((await setBudget('e'.repeat(257))).data.setBudget).toMatchObject({ code: 'INVALID_REQUEST', message: 'scopeId: must be 1 to 256 characters' });
  });

  it('refuses a NUL in a usage filter as INVALID_REQUEST instead of a database error', async () => {
    const report = await app.graphql(`query($u: String!) { usageEvents(first: 1, filter: { endUsers: [$u] }) { edges { node { id } } } }`, { u: NUL_USER });
    expect(report.errors).toEqual([expect.objectContaining({ extensions: { code: 'INVALID_REQUEST', field: '$u' } })]);
  });
});
