// POST /v1/messages driven by the official `@anthropic-ai/sdk`, unchanged apart from base URL and
// key, served by Anthropic, OpenAI and Gemini upstreams (the provider simulators).
import Anthropic, { APIError as AnthropicError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { abortWhileUpstreamHangs, closeCausedBy } from '../helpers/simulator-server.ts';
import type { ClientClose, RecordedRequest } from '../helpers/upstream-scenario.ts';
import { models, startRestTestApp, type RestTestContext } from './rest-test-app.ts';

let context: RestTestContext;
let client: Anthropic;

beforeAll(async () => {
  context = await startRestTestApp();
  client = new Anthropic({ baseURL: context.app.url, apiKey: context.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await context?.stop();
});
beforeEach(() => {
  for (const simulator of [context.openai, context.anthropic, context.gemini]) simulator.requests.length = 0;
});

const lastBody = (requests: RecordedRequest[]) => requests.at(-1)!.body as Record<string, any>;
const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/messages with the Anthropic SDK', () => {
  it('answers non-streaming from an Anthropic upstream with signed thinking and cache usage', async () => {
    context.anthropic.setScenario({
      kind: 'text',
      chunks: ['Paris', '.'],
      reasoningChunks: ['Museums… ', 'Louvre.'],
      usage: { input: 100, output: 40, cachedInput: 60, cacheWrite: 10, reasoning: 12 },
    });
    const { data: message, response } = await client.messages
      .create({
        model: models.anthropic,
        max_tokens: 2048,
        system: [{ type: 'text', text: 'You are a guide.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: 'Where is the Louvre?' }],
        thinking: { type: 'enabled', budget_tokens: 1024 },
        stop_sequences: ['###'],
        metadata: { user_id: 'user-42' },
      })
      .withResponse();

    expect(message.type).toBe('message');
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Museums… Louvre.', signature: expect.any(String) },
      { type: 'text', text: 'Paris.' },
    ]);
    expect((message.content[0] as Anthropic.ThinkingBlock).signature).not.toBe('');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 30, output_tokens: 40, cache_read_input_tokens: 60, cache_creation_input_tokens: 10 });
    expect(response.headers.get('x-modelgraph-generation-id')).toBe(message.id);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-request-id'));

    expect(lastBody(context.anthropic.requests)).toMatchObject({
      model: 'claude-sonnet-4-5',
      max_tokens: 2048,
      system: [{ type: 'text', text: 'You are a guide.', cache_control: { type: 'ephemeral' } }],
      thinking: { type: 'enabled', budget_tokens: 1024 },
      stop_sequences: ['###'],
      metadata: { user_id: 'user-42' },
    });
  });

  it("streams an OpenAI upstream's answer with Anthropic's exact event sequence", async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['Hello', ' there'], reasoningChunks: ['Greet', ' back.'], usage: { input: 11, output: 7, reasoning: 3 } });
    const stream = client.messages.stream({
      model: models.openai,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    const events: string[] = [];
    for await (const event of stream) {
      events.push(event.type === 'content_block_delta' ? `${event.type}:${event.index}:${event.delta.type}` : 'index' in event ? `${event.type}:${event.index}` : event.type);
    }
    expect(events).toEqual([
      'message_start',
      'content_block_start:0',
      'content_block_delta:0:thinking_delta',
      'content_block_delta:0:thinking_delta',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1:text_delta',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
    const message = await stream.finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Greet back.', signature: '' },
      { type: 'text', text: 'Hello there' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
    // An effort-only upstream gets the budget as an effort.
    expect(lastBody(context.openai.requests)).toMatchObject({ model: 'gpt-5-mini', max_completion_tokens: 256, reasoning_effort: 'low' });
  });

  it('round-trips tool use through an OpenAI upstream', async () => {
    context.openai.setScenario({
      kind: 'tool-calls',
      chunks: ['Checking.'],
      calls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Lyon"}' }],
      argumentPieces: 3,
      usage: { input: 20, output: 10 },
    });
    const stream = client.messages.stream({
      model: models.openai,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Weather in Lyon?' }],
      tools: [weatherTool],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    const jsonDeltas: string[] = [];
    stream.on('inputJson', (partial) => jsonDeltas.push(partial));
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Lyon' } },
    ]);
    expect(jsonDeltas.length).toBeGreaterThan(1);
    expect(lastBody(context.openai.requests)).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });

    context.openai.setScenario({ kind: 'text', chunks: ['Rainy in Lyon.'], usage: { input: 40, output: 5 } });
    const answer = await client.messages.create({
      model: models.openai,
      max_tokens: 256,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        { role: 'assistant', content: message.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_9', content: [{ type: 'text', text: 'rain' }] }, { type: 'text', text: 'Short answer please.' }] },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'Rainy in Lyon.' }]);
    expect(lastBody(context.openai.requests).messages.slice(1)).toMatchObject([
      { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }] },
      { role: 'tool', tool_call_id: 'call_9', content: 'rain' },
      { role: 'user', content: 'Short answer please.' },
    ]);
  });

  it('is served by a Gemini upstream, tool calls included, with structured output', async () => {
    context.gemini.setScenario({ kind: 'tool-calls', calls: [{ id: 'ignored', name: 'get_weather', arguments: '{"city":"Rome"}' }], usage: { input: 15, output: 6 } });
    const message = await client.messages.create({
      model: models.gemini,
      max_tokens: 128,
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
      tools: [weatherTool],
    });
    expect(message.stop_reason).toBe('tool_use');
    const call = message.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
    expect(call).toMatchObject({ name: 'get_weather', input: { city: 'Rome' } });

    context.gemini.setScenario({ kind: 'text', chunks: ['{"city":"Rome"}'], usage: { input: 15, output: 6 } });
    const structured = await client.messages.create({
      model: models.gemini,
      max_tokens: 128,
      messages: [{ role: 'user', content: 'Which city?' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { city: { type: 'string' } } } } },
    });
    expect(JSON.parse((structured.content[0] as Anthropic.TextBlock).text)).toEqual({ city: 'Rome' });
    expect(lastBody(context.gemini.requests).generationConfig).toMatchObject({ responseMimeType: 'application/json' });
  });
});

describe('errors in the Anthropic SDK’s own classes', () => {
  it('raises RateLimitError with 429 and retry-after', async () => {
    context.anthropic.setScenario({ kind: 'error', status: 429, message: 'Number of request tokens has exceeded your rate limit', retryAfterSeconds: 3 });
    const error = await client.messages.create({ model: models.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as AnthropicError).headers?.get('retry-after')).toBe('3');
    expect((error as AnthropicError).error).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit' } });
  });

  it('answers an overloaded upstream with 529 overloaded_error', async () => {
    context.anthropic.setScenario({ kind: 'error', status: 529, message: 'Overloaded' });
    const error = await client.messages.create({ model: models.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as AnthropicError).status).toBe(529);
    expect((error as AnthropicError).error).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('names the missing field in a 400 and 404s an unknown model', async () => {
    const invalid = await client.messages
      .create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((thrown: unknown) => thrown);
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect((invalid as AnthropicError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/^max_tokens: /) } });

    const misplaced = await client.messages
      .create({ model: models.openai, max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'x', input: {} }] }] })
      .catch((thrown: unknown) => thrown);
    expect(misplaced).toBeInstanceOf(Anthropic.BadRequestError);
    expect((misplaced as AnthropicError).message).toContain('messages[0].content[0].type');

    const unknown = await client.messages.create({ model: 'nope', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as AnthropicError).error).toMatchObject({ error: { type: 'not_found_error' } });
  });

  it('ends a stream that breaks mid-way with an `event: error`, which the SDK raises', async () => {
    context.anthropic.setScenario({ kind: 'cut', chunks: ['Once upon', ' a time'] });
    const stream = client.messages.stream({ model: models.anthropic, max_tokens: 64, messages: [{ role: 'user', content: 'Tell a story' }] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().catch((thrown: unknown) => thrown);
    expect(text).toBe('Once upon a time');
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as AnthropicError).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });

    context.anthropic.setScenario({ kind: 'cut', chunks: ['Once'] });
    const raw = await fetch(`${context.app.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${context.apiKey}` },
      body: JSON.stringify({ model: models.anthropic, max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const last = (await raw.text()).trim().split('\n\n').at(-1)!;
    expect(last.split('\n')[0]).toBe('event: error');
    expect(JSON.parse(last.split('\n')[1]!.slice('data: '.length))).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});

describe('cancellation', () => {
  it('closes the upstream connection when the SDK aborts a stream', async () => {
    context.openai.setScenario({ kind: 'hang', chunks: ['Hmm'] });
    const stream = client.messages.stream({ model: models.openai, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const closed = new Promise<ClientClose>((resolve, reject) => {
      stream.on('text', () => {
        closeCausedBy(context.openai, () => stream.abort()).then(resolve, reject);
      });
    });
    const error = await stream.finalMessage().catch((thrown: unknown) => thrown);
    expect((await closed).request).toBe(context.openai.requests.at(-1));
    expect(error).toBeInstanceOf(Anthropic.APIUserAbortError);
  });

  it('closes the upstream connection when the SDK aborts a non-streaming call', async () => {
    const settled = await abortWhileUpstreamHangs(context.gemini, (signal) =>
      client.messages.create({ model: models.gemini, max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }, { signal }),
    );
    expect(settled).toBeInstanceOf(Anthropic.APIUserAbortError);
  });
});

describe('GET /v1/models with the Anthropic SDK', () => {
  it('lists ModelInfo objects newest first, and pages through all of them with after_id', async () => {
    const first = await client.models.list({ limit: 1000 });
    const ids = first.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining([models.anthropic, models.openai, models.gemini]));
    expect(new Set(ids).size).toBe(ids.length);
    expect(first.has_more).toBe(false);
    for (const model of first.data) {
      expect(model.type).toBe('model');
      expect(typeof model.display_name).toBe('string');
      expect(Number.isNaN(Date.parse(model.created_at))).toBe(false);
    }
    const dates = first.data.map((model) => model.created_at);
    expect([...dates].sort().reverse()).toEqual(dates);

    // The SDK's auto-pagination follows has_more / last_id.
    const paged: string[] = [];
    for await (const model of client.models.list({ limit: 2 })) paged.push(model.id);
    expect(paged).toEqual(ids);

    // before_id pages backwards from a cursor.
    const raw = await fetch(`${context.app.url}/v1/models?limit=2&before_id=${encodeURIComponent(ids[3]!)}`, {
      headers: { 'x-api-key': context.apiKey, 'anthropic-version': '2023-06-01' },
    });
    expect(await raw.json()).toMatchObject({ data: [{ id: ids[1] }, { id: ids[2] }], first_id: ids[1], last_id: ids[2], has_more: true });
  });

  it('retrieves one model, answers 404 and 400 in Anthropic’s error format, and lists only what the key may use', async () => {
    const model = await client.models.retrieve(models.anthropic);
    expect(model).toMatchObject({ type: 'model', id: models.anthropic });
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    await expect(client.models.list({ limit: 0 })).rejects.toBeInstanceOf(Anthropic.BadRequestError);

    const { secret } = await context.app.createKey({ name: 'gemini only (anthropic sdk)', allowedModels: [models.gemini] });
    const narrow = new Anthropic({ baseURL: context.app.url, apiKey: secret, maxRetries: 0 });
    expect((await narrow.models.list()).data.map((entry) => entry.id)).toEqual([models.gemini]);
    await expect(narrow.models.retrieve(models.anthropic)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('keeps OpenAI’s format for clients without anthropic-version', async () => {
    const response = await fetch(`${context.app.url}/v1/models`, { headers: { authorization: `Bearer ${context.apiKey}` } });
    expect(await response.json()).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: models.anthropic, object: 'model' })]) });
  });
});
