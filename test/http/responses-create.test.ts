// POST /v1/responses (non-streaming) with the official `openai` SDK against a started gateway whose
// upstreams are the OpenAI, Anthropic and Gemini simulators; Postgres when TEST_DATABASE_URL is set.
import OpenAI, { APIError as OpenAIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { databaseCases } from '../helpers/databases.ts';
import { usageFlushed } from '../helpers/metering.ts';
import { briefCatUpstreamBody, lastBody, models, useOpenAIClient } from './rest-test-app.ts';

const { context, client } = useOpenAIClient({ databaseCase: databaseCases.at(-1)! });

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('responses.create with the openai SDK', () => {
  it('answers text with the response object, usage details and cost, from an OpenAI upstream', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['Hel', 'lo!'], usage: { input: 10, output: 5, cachedInput: 4, reasoning: 2 } });
    const { data, response } = await client.responses
      .create({
        model: models.openai,
        instructions: 'Be brief.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }, { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'low' }] }],
        temperature: 0.5,
        top_p: 0.9,
        max_output_tokens: 64,
        user: 'end-user-1',
        metadata: { purpose: 'test' },
        store: false,
      })
      .withResponse();

    expect(data).toMatchObject({
      object: 'response',
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: models.openai,
      instructions: 'Be brief.',
      max_output_tokens: 64,
      temperature: 0.5,
      top_p: 0.9,
      store: false,
      metadata: { purpose: 'test' },
      usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 15 },
    });
    expect(data.id).toMatch(/^resp_/);
    expect(data.output_text).toBe('Hello!');
    expect(data.output).toEqual([{ type: 'message', id: expect.stringMatching(/^msg_/), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello!', annotations: [], logprobs: [] }] }]);
    // The gateway's cost, as on chat completions: $2 and $8 per 1M tokens, cached reads unpriced here: 6 * 2 + 5 * 8.
    expect((data.usage as unknown as { cost: number }).cost).toBe(0.000052);
    expect(response.headers.get('x-modelgraph-generation-id')).toBeTruthy();

    expect(lastBody(context.openai.requests)).toMatchObject(briefCatUpstreamBody);
  });

  it('asks for a json_schema and parses it (responses.parse) from a Gemini upstream', async () => {
    context.gemini.setScenario({ kind: 'text', chunks: ['{"city":', '"Paris"}'], usage: { input: 9, output: 6 } });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const response = await client.responses.create({
      model: models.gemini,
      input: 'Which city has the Louvre?',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris' });
    expect(response.text?.format).toEqual({ type: 'json_schema', name: 'city', schema, strict: true });
    const upstream = lastBody(context.gemini.requests);
    expect(upstream.generationConfig).toMatchObject({ responseMimeType: 'application/json' });
  });

  it('reports a length cut as incomplete with max_output_tokens', async () => {
    context.anthropic.setScenario({ kind: 'text', chunks: ['Once upon'], usage: { input: 5, output: 3 }, finish: 'length' });
    const response = await client.responses.create({ model: models.anthropic, input: 'A story', max_output_tokens: 3 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe('Once upon');
  });

  it('runs a tool-call loop with an Anthropic upstream: function_call out, function_call_output back, final answer', async () => {
    context.anthropic.setScenario({ kind: 'tool-calls', calls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { input: 40, output: 10 } });
    const first = await client.responses.create({ model: models.anthropic, input: 'Weather in Paris?', tools: [weather], tool_choice: 'auto', store: false });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(lastBody(context.anthropic.requests).tools).toEqual([
      { name: 'get_weather', description: 'Weather in a city', input_schema: weather.parameters, strict: true },
    ]);

    context.anthropic.setScenario({ kind: 'text', chunks: ['Sunny, 21°C.'], usage: { input: 60, output: 5 } });
    const final = await client.responses.create({
      model: models.anthropic,
      tools: [weather],
      store: false,
      input: [{ role: 'user', content: 'Weather in Paris?' }, ...(first.output as OpenAI.Responses.ResponseInputItem[]), { type: 'function_call_output', call_id: 'toolu_1', output: '{"temp":21}' }],
    });
    expect(final.output_text).toBe('Sunny, 21°C.');
    const messages = lastBody(context.anthropic.requests).messages;
    expect(messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temp":21}' }] },
    ]);
  });
});

describe('errors in the OpenAI format', () => {
  const expectError = async (promise: Promise<unknown>, status: number, match: Record<string, unknown>) => {
    const error = await promise.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAIError);
    expect((error as OpenAIError).status).toBe(status);
    expect((error as OpenAIError).error).toMatchObject(match);
  };

  it('refuses built-in tools with a 400 naming the tool', async () => {
    await expectError(client.responses.create({ model: models.openai, input: 'Search', tools: [{ type: 'web_search' }] }), 400, {
      type: 'invalid_request_error',
      param: 'tools[0].type',
      message: expect.stringContaining('the built-in tool "web_search" is not supported'),
    });
    expect(context.openai.requests).toHaveLength(0);
  });

  it('answers bad input with a 400 that names the field', async () => {
    await expectError(client.responses.create({ model: models.openai, input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] }), 400, {
      param: 'input[0].content[0]',
      message: expect.stringContaining('"input_file" content parts are not supported'),
    });
    await expectError(client.responses.create({ model: models.openai, input: [{ type: 'function_call_output', call_id: 'nope', output: 'x' }] }), 400, {
      param: 'input[0].call_id',
    });
  });

  it('answers an unknown model with a 404 model_not_found', async () => {
    await expectError(client.responses.create({ model: 'no-such-model', input: 'Hi' }), 404, { code: 'model_not_found' });
  });

  it('refuses a request over the key’s budget with insufficient_quota', async () => {
    const key = await context.app.createKey({ name: 'tiny budget', scopes: ['INFERENCE'], limits: { maxBudget: '0.000001' } });
    const capped = new OpenAI({ baseURL: context.baseUrl, apiKey: key.secret, maxRetries: 0 });
    context.openai.setScenario({ kind: 'text', chunks: ['no'], usage: { input: 10, output: 5 } });
    await expectError(capped.responses.create({ model: models.openai, input: 'Hi', max_output_tokens: 1000 }), 402, { type: 'insufficient_quota' });
    expect(context.openai.requests).toHaveLength(0);
  });
});

describe('metering', () => {
  it('writes one usage record per Responses call, as chat does', async () => {
    const key = await context.app.createKey({ name: 'metered responses', scopes: ['INFERENCE'] });
    const metered = new OpenAI({ baseURL: context.baseUrl, apiKey: key.secret, maxRetries: 0 });
    context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 7, output: 2 } });
    await metered.responses.create({ model: models.openai, input: 'Hi', store: false });
    await usageFlushed(context.app);
    const usage = await context.app.graphql(
      `query($keys: [ID!]) { usageEvents(first: 10, filter: { keyIds: $keys }) { edges { node { requestedModel streamed cost usage { inputTokens outputTokens } } } } }`,
      { keys: [key.id] },
    );
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usageEvents.edges).toEqual([{ node: { requestedModel: models.openai, streamed: false, cost: '0.00003', usage: { inputTokens: 7, outputTokens: 2 } } }]);
  });
});
