// Stored responses: previous_response_id, store: false, GET / DELETE /v1/responses/{id} and
// input_items, scoped to the creating key's team (or the key); and the 400s when storage is off.
// Postgres when TEST_DATABASE_URL is set.
import OpenAI, { APIError as OpenAIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseCases } from '../helpers/databases.ts';
import type { RecordedRequest } from '../helpers/upstream-scenario.ts';
import { models, startRestTestApp, type RestTestContext } from './rest-test-app.ts';

let context: RestTestContext;
let client: OpenAI;

/** `store` is in the response object the API returns, not in the SDK's type. */
const stored = (response: object) => (response as { store?: boolean }).store;
const lastBody = (requests: RecordedRequest[]) => requests.at(-1)!.body as Record<string, any>;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (caught: unknown) => {
      expect(caught).toBeInstanceOf(OpenAIError);
      return caught as OpenAIError;
    },
  );

beforeAll(async () => {
  context = await startRestTestApp({ databaseCase: databaseCases.at(-1)! });
  client = new OpenAI({ baseURL: context.baseUrl, apiKey: context.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await context?.stop();
});

describe('stored responses', () => {
  it('continues a conversation with previous_response_id (instructions are not carried over)', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['Hi Ada!'], usage: { input: 5, output: 3 } });
    const first = await client.responses.create({ model: models.openai, instructions: 'Be warm.', input: 'I am Ada.' });
    expect(stored(first)).toBe(true);

    context.openai.setScenario({ kind: 'text', chunks: ['You are Ada.'], usage: { input: 9, output: 3 } });
    const second = await client.responses.create({ model: models.openai, previous_response_id: first.id, input: 'Who am I?' });
    expect(second.previous_response_id).toBe(first.id);
    expect(lastBody(context.openai.requests).messages).toEqual([
      { role: 'user', content: 'I am Ada.' },
      { role: 'assistant', content: 'Hi Ada!' },
      { role: 'user', content: 'Who am I?' },
    ]);

    // A third turn, streamed: the stored chain is read whole, and the stream's response is stored.
    context.openai.setScenario({ kind: 'text', chunks: ['Ada, ', 'still.'], usage: { input: 12, output: 3 } });
    const third = await client.responses.stream({ model: models.openai, previous_response_id: second.id, input: 'And now?' }).finalResponse();
    expect(lastBody(context.openai.requests).messages).toHaveLength(5);
    expect(await client.responses.retrieve(third.id)).toMatchObject({ id: third.id, status: 'completed', output_text: 'Ada, still.', output: [{ id: third.output[0]!.id }] });
  });

  it('keeps a tool-call loop across turns: the function_call comes from the stored response', async () => {
    context.gemini.setScenario({ kind: 'tool-calls', calls: [{ id: 'call_g1', name: 'get_weather', arguments: '{"city":"Oslo"}' }], usage: { input: 20, output: 6 } });
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const first = await client.responses.create({ model: models.gemini, input: 'Weather in Oslo?', tools });
    const call = first.output.find((item) => item.type === 'function_call')!;
    expect(call.type === 'function_call' && call.name).toBe('get_weather');

    context.gemini.setScenario({ kind: 'text', chunks: ['Snowing.'], usage: { input: 30, output: 2 } });
    const final = await client.responses.create({
      model: models.gemini,
      tools,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.type === 'function_call' ? call.call_id : '', output: '{"snow":true}' }],
    });
    expect(final.output_text).toBe('Snowing.');
    const contents = lastBody(context.gemini.requests).contents as Array<{ role: string; parts: Array<Record<string, unknown>> }>;
    expect(contents.map((content) => content.role)).toEqual(['user', 'model', 'user']);
    expect(contents[1]!.parts[0]).toMatchObject({ functionCall: { name: 'get_weather', args: { city: 'Oslo' } } });
    expect(contents[2]!.parts[0]).toMatchObject({ functionResponse: { name: 'get_weather' } });
  });

  it('does not store with store: false: reuse is a 400, GET a 404', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } });
    const unstored = await client.responses.create({ model: models.openai, input: 'Hi', store: false });
    expect(stored(unstored)).toBe(false);
    const reuse = await failure(client.responses.create({ model: models.openai, previous_response_id: unstored.id, input: 'Again' }));
    expect(reuse.status).toBe(400);
    expect(reuse.error).toMatchObject({ type: 'invalid_request_error', param: 'previous_response_id' });
    expect((await failure(client.responses.retrieve(unstored.id))).status).toBe(404);
  });

  it('retrieves, lists input items and deletes within the team; another team’s key gets 404', async () => {
    const createTeam = async (name: string) => (await context.app.graphql(`mutation { createTeam(input: { name: "${name}" }) { ... on Team { id } } }`)).data.createTeam.id as string;
    const [teamA, teamB] = [await createTeam('responses A'), await createTeam('responses B')];
    const [alice, bob, eve] = await Promise.all([
      context.app.createKey({ name: 'alice', scopes: ['INFERENCE'], teamId: teamA }),
      context.app.createKey({ name: 'bob', scopes: ['INFERENCE'], teamId: teamA }),
      context.app.createKey({ name: 'eve', scopes: ['INFERENCE'], teamId: teamB }),
    ]);
    const as = (key: { secret: string }) => new OpenAI({ baseURL: context.baseUrl, apiKey: key.secret, maxRetries: 0 });

    context.openai.setScenario({ kind: 'text', chunks: ['Stored.'], usage: { input: 2, output: 1 } });
    const created = await as(alice).responses.create({ model: models.openai, input: 'Store me' });

    // A teammate's key sees it, continues it and lists its input; another team's does not.
    expect(await as(bob).responses.retrieve(created.id)).toMatchObject({ id: created.id, output_text: 'Stored.', output: created.output });
    const items = await as(bob).responses.inputItems.list(created.id);
    expect(items.data).toMatchObject([{ type: 'message', role: 'user', content: 'Store me' }]);
    expect((await failure(as(eve).responses.retrieve(created.id))).status).toBe(404);
    expect((await failure(as(eve).responses.delete(created.id))).status).toBe(404);
    expect((await failure(as(eve).responses.create({ model: models.openai, previous_response_id: created.id, input: 'Hi' }))).status).toBe(400);
    // Nor does a key outside any team.
    expect((await failure(client.responses.retrieve(created.id))).status).toBe(404);

    await as(bob).responses.delete(created.id);
    expect((await failure(as(alice).responses.retrieve(created.id))).status).toBe(404);
    expect((await failure(as(alice).responses.delete(created.id))).status).toBe(404);
  });
});

describe('with storage turned off (responses.store: false)', () => {
  let off: RestTestContext;
  let offClient: OpenAI;
  beforeAll(async () => {
    off = await startRestTestApp({ config: { responses: { store: false } } });
    offClient = new OpenAI({ baseURL: off.baseUrl, apiKey: off.apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await off?.stop();
  });

  it('answers without storing, and 400 to whatever needs storage', async () => {
    off.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } });
    const response = await offClient.responses.create({ model: models.openai, input: 'Hi' });
    expect(stored(response)).toBe(false);
    for (const attempt of [
      () => offClient.responses.create({ model: models.openai, input: 'Hi', store: true }),
      () => offClient.responses.create({ model: models.openai, input: 'Hi', previous_response_id: response.id }),
      () => offClient.responses.retrieve(response.id),
      () => offClient.responses.delete(response.id),
    ]) {
      const error = await failure(attempt());
      expect(error.status).toBe(400);
      expect(error.error).toMatchObject({ code: 'storage_disabled', message: expect.stringContaining('storage is turned off') });
    }
  });
});
