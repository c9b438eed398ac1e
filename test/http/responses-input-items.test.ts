// GET /v1/responses/{id}/input_items paged as OpenAI documents it (order, limit, after, before,
// first_id, last_id, has_more), read with the official SDK's cursor pages; and `include`: values
// the gateway returns anyway are accepted, the others refused with a 400 that names the value.
import OpenAI, { APIError as OpenAIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageInputItems, type InputItemsQuery } from '../../src/http/openai/responses/list-input-items.ts';
import { models, startRestTestApp, type RestTestContext } from './rest-test-app.ts';

let context: RestTestContext;
let client: OpenAI;
let responseId: string;
const sent = ['one', 'two', 'three', 'four', 'five'];

beforeAll(async () => {
  context = await startRestTestApp();
  client = new OpenAI({ baseURL: context.baseUrl, apiKey: context.apiKey, maxRetries: 0 });
  context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
  const created = await client.responses.create({ model: models.openai, input: sent.map((content) => ({ role: 'user' as const, content })) });
  responseId = created.id;
});
afterAll(async () => {
  await context?.stop();
});

const contents = (items: Array<Record<string, unknown>>) => items.map((item) => item['content']);
const failure = async (promise: Promise<unknown>): Promise<OpenAIError> => {
  const caught = await promise.then(() => null, (error: unknown) => error);
  expect(caught).toBeInstanceOf(OpenAIError);
  return caught as OpenAIError;
};

describe('input_items paging with the official SDK', () => {
  it('pages newest first by default; the SDK follows has_more / last_id across pages', async () => {
    const first = await client.responses.inputItems.list(responseId, { limit: 2 });
    expect(contents(first.data as never)).toEqual(['five', 'four']);
    expect(first.has_more).toBe(true);
    // The SDK's page keeps data and has_more; first_id / last_id are on the wire.
    const wire = await fetch(`${context.baseUrl}/responses/${responseId}/input_items?limit=2`, { headers: { authorization: `Bearer ${context.apiKey}` } });
    expect(await wire.json()).toMatchObject({ object: 'list', first_id: first.data[0]!.id, last_id: first.data[1]!.id, has_more: true });
    const all: unknown[] = [];
    for await (const item of client.responses.inputItems.list(responseId, { limit: 2 })) all.push((item as { content: unknown }).content);
    expect(all).toEqual(['five', 'four', 'three', 'two', 'one']);
  });

  it('order asc, after and before cursors, and the last page says has_more: false', async () => {
    const ascending = await client.responses.inputItems.list(responseId, { order: 'asc', limit: 3 });
    expect(contents(ascending.data as never)).toEqual(['one', 'two', 'three']);
    expect(ascending.has_more).toBe(true);
    const rest = await client.responses.inputItems.list(responseId, { order: 'asc', limit: 3, after: ascending.data.at(-1)!.id });
    expect(contents(rest.data as never)).toEqual(['four', 'five']);
    expect(rest.has_more).toBe(false);
    const before = await client.responses.inputItems.list(responseId, { order: 'asc', limit: 2, before: rest.data[0]!.id } as never);
    expect(contents(before.data as never)).toEqual(['two', 'three']);
    expect(before.has_more).toBe(true);
  });

  it('refuses a bad limit, order or cursor with a 400 naming the parameter', async () => {
    expect(await failure(client.responses.inputItems.list(responseId, { limit: 0 }))).toMatchObject({ status: 400, param: 'limit' });
    expect(await failure(client.responses.inputItems.list(responseId, { limit: 101 }))).toMatchObject({ status: 400, param: 'limit' });
    expect(await failure(client.responses.inputItems.list(responseId, { order: 'sideways' as never }))).toMatchObject({ status: 400, param: 'order' });
    expect(await failure(client.responses.inputItems.list(responseId, { after: 'item_nope' }))).toMatchObject({ status: 400, param: 'after' });
  });
});

describe('include', () => {
  it('accepts reasoning.encrypted_content on create, retrieve and input_items', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 5, output: 1 } });
    const created = await client.responses.create({ model: models.openai, input: 'Hi', include: ['reasoning.encrypted_content'] });
    expect(created.status).toBe('completed');
    expect((await client.responses.retrieve(created.id, { include: ['reasoning.encrypted_content'] })).id).toBe(created.id);
    expect((await client.responses.inputItems.list(created.id, { include: ['message.input_image.image_url'] })).data).toHaveLength(1);
  });

  it('refuses what it cannot return, naming the value', async () => {
    const logprobs = await failure(client.responses.create({ model: models.openai, input: 'Hi', include: ['message.output_text.logprobs'] }));
    expect(logprobs).toMatchObject({ status: 400, param: 'include' });
    expect(logprobs.message).toContain('message.output_text.logprobs');
    expect(await failure(client.responses.create({ model: models.openai, input: 'Hi', include: ['file_search_call.results'] }))).toMatchObject({ status: 400, param: 'include' });
    expect(await failure(client.responses.create({ model: models.openai, input: 'Hi', include: ['nonsense' as never] }))).toMatchObject({ status: 400, param: 'include' });
    expect(await failure(client.responses.retrieve(responseId, { include: ['code_interpreter_call.outputs'] }))).toMatchObject({ status: 400, param: 'include' });
  });
});

describe('pageInputItems', () => {
  const items = ['a', 'b', 'c', 'd'].map((id) => ({ id }));
  const page = (query: Partial<InputItemsQuery>) => {
    const result = pageInputItems(items, { order: 'desc', limit: 20, after: null, before: null, ...query });
    return [result.data.map((item) => item.id).join(''), result.has_more, result.first_id, result.last_id];
  };
  it.each([
    [{}, ['dcba', false, 'd', 'a']],
    [{ limit: 2 }, ['dc', true, 'd', 'c']],
    [{ limit: 2, after: 'c' }, ['ba', false, 'b', 'a']],
    [{ order: 'asc' as const, limit: 4 }, ['abcd', false, 'a', 'd']],
    [{ order: 'asc' as const, after: 'd' }, ['', false, null, null]],
    [{ order: 'asc' as const, limit: 1, before: 'c' }, ['b', true, 'b', 'b']],
    [{ order: 'asc' as const, limit: 5, before: 'c' }, ['ab', false, 'a', 'b']],
  ])('%o -> %o', (query, expected) => {
    expect(page(query)).toEqual(expected);
  });
});
