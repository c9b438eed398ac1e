// POST /v1/chat/completions driven by the official `openai` SDK, unchanged apart from base URL
// and key, against a started app whose upstreams are the provider simulators.
import OpenAI, { APIError as OpenAIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { abortWhileUpstreamHangs, closeCausedBy } from '../helpers/simulator-server.ts';
import { briefCatUpstreamBody, lastBody, models, useOpenAIClient } from './rest-test-app.ts';
import { weatherInParisAndOslo } from '../helpers/upstream-scenario.ts';

const { context, client } = useOpenAIClient();

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('POST /v1/chat/completions with the openai SDK', () => {
  it('answers non-streaming with usage, OpenRouter cost and the generation id', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['Hel', 'lo!'], usage: { input: 10, output: 5 } });
    const { data, response } = await client.chat.completions
      .create({
        model: models.openai,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] },
        ],
        temperature: 0.5,
        top_p: 0.9,
        max_completion_tokens: 64,
        stop: ['END'],
        seed: 7,
        user: 'end-user-1',
      })
      .withResponse();

    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]!.message.content).toBe('Hello!');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.model).toBe(models.openai);
    expect(data.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    // $2 and $8 per 1M tokens: 10 * 2 + 5 * 8 micro-USD.
    expect((data.usage as unknown as { cost: number }).cost).toBe(0.00006);
    expect(response.headers.get('x-modelgraph-generation-id')).toBe(data.id);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);

    const upstream = lastBody(context.openai.requests);
    expect(upstream).toMatchObject({ ...briefCatUpstreamBody, stop: ['END'], seed: 7 });
  });

  it('streams chunks and always ends with a usage chunk with empty choices, then [DONE]', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['One', ' two', ' three'], usage: { input: 12, output: 3 } });
    const stream = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Count' }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('One two three');
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, cost: 0.000048 });
  });

  it('round-trips tool calls: indexed argument deltas out, tool results back in', async () => {
    context.openai.setScenario(weatherInParisAndOslo);
    const runner = client.chat.completions.stream({
      model: models.openai,
      messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }],
      tools: [weather],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    const argumentDeltas: Array<{ index: number; arguments: string }> = [];
    runner.on('chunk', (chunk) => {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) argumentDeltas.push({ index: call.index, arguments: call.function?.arguments ?? '' });
    });
    const completion = await runner.finalChatCompletion();
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(calls.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments])).toEqual([
      ['call_1', 'get_weather', '{"city":"Paris"}'],
      ['call_2', 'get_weather', '{"city":"Oslo"}'],
    ]);
    expect(argumentDeltas.filter((delta) => delta.index === 0 && delta.arguments !== '').length).toBeGreaterThan(1);
    expect(lastBody(context.openai.requests)).toMatchObject({ tools: [weather], tool_choice: 'auto', parallel_tool_calls: true });

    context.openai.setScenario({ kind: 'text', chunks: ['Sunny in Paris, snow in Oslo.'], usage: { input: 50, output: 8 } });
    const answer = await client.chat.completions.create({
      model: models.openai,
      messages: [
        { role: 'user', content: 'Weather in Paris and Oslo?' },
        completion.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: 'snow' },
      ],
      tools: [weather],
    });
    expect(answer.choices[0]!.message.content).toBe('Sunny in Paris, snow in Oslo.');
    expect(lastBody(context.openai.requests).messages.slice(1)).toMatchObject([
      { role: 'assistant', tool_calls: [{ id: 'call_1', function: { name: 'get_weather' } }, { id: 'call_2' }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: 'snow' },
    ]);
  });

  it('passes a json_schema response format and reasoning effort through and returns the JSON', async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['{"city":', '"Paris"}'], usage: { input: 9, output: 6 } });
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    const completion = await client.chat.completions.create({
      model: models.openai,
      messages: [{ role: 'user', content: 'Where is the Louvre?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
      reasoning_effort: 'low',
      max_tokens: 100,
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'Paris' });
    expect(lastBody(context.openai.requests)).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema, strict: true } },
      reasoning_effort: 'low',
    });
  });

  it('serves the OpenAI format from an Anthropic upstream, thinking and tool calls included', async () => {
    context.anthropic.setScenario({ kind: 'text', chunks: ['Paris.'], reasoningChunks: ['The Louvre ', 'is in Paris.'], usage: { input: 20, output: 30, reasoning: 10 } });
    const completion = await client.chat.completions.create({
      model: models.anthropic,
      messages: [{ role: 'user', content: 'Where is the Louvre?' }],
      reasoning_effort: 'medium',
    });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning?: string; reasoning_details?: Array<Record<string, unknown>> };
    expect(message.content).toBe('Paris.');
    expect(message.reasoning).toBe('The Louvre is in Paris.');
    expect(message.reasoning_details).toEqual([{ type: 'reasoning.text', text: 'The Louvre is in Paris.', signature: expect.any(String), index: 0 }]);
    expect(lastBody(context.anthropic.requests).thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });

    // The signed reasoning goes back to Anthropic unchanged on the next turn.
    context.anthropic.setScenario({ kind: 'tool-calls', calls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: { input: 40, output: 10 } });
    const stream = await client.chat.completions.create({
      model: models.anthropic,
      messages: [
        { role: 'user', content: 'Where is the Louvre?' },
        { role: 'assistant', content: 'Paris.', reasoning_details: message.reasoning_details } as OpenAI.ChatCompletionAssistantMessageParam,
        { role: 'user', content: 'And the weather there?' },
      ],
      tools: [weather],
      stream: true,
    });
    const calls: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) calls.push(`${call.index}:${call.id ?? ''}:${call.function?.arguments ?? ''}`);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(calls[0]).toBe('0:toolu_1:');
    expect(calls.slice(1).map((call) => call.split(':').slice(2).join(':')).join('')).toBe('{"city":"Paris"}');
    expect(finish).toBe('tool_calls');
    expect(lastBody(context.anthropic.requests).messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The Louvre is in Paris.', signature: message.reasoning_details![0]!['signature'] },
        { type: 'text', text: 'Paris.' },
      ],
    });
  });

  it('falls back along OpenRouter `models` and validates `provider` preferences', async () => {
    context.openai.setScenario({ kind: 'error', status: 503, message: 'overloaded' });
    context.anthropic.setScenario({ kind: 'text', chunks: ['from the fallback'], usage: { input: 5, output: 3 } });
    const completion = await client.chat.completions.create({
      model: models.openai,
      messages: [{ role: 'user', content: 'Hi' }],
      // @ts-expect-error OpenRouter extensions
      models: [models.anthropic],
      provider: { order: ['oai', 'ant'], allow_fallbacks: true, sort: 'price', max_price: { prompt: 5, completion: 20 }, require_parameters: false },
    });
    expect(completion.choices[0]!.message.content).toBe('from the fallback');
    expect(completion.model).toBe(models.anthropic);

    const error = await client.chat.completions
      .create({
        model: models.openai,
        messages: [{ role: 'user', content: 'Hi' }],
        // @ts-expect-error OpenRouter extension with a bad value
        provider: { max_price: { prompt: -1 } },
      })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as OpenAIError).message).toContain('provider.max_price.prompt');
  });
});

describe('errors in the openai SDK’s own classes', () => {
  it('raises RateLimitError with 429 and retry-after when the upstream rate-limits', async () => {
    context.openai.setScenario({ kind: 'error', status: 429, message: 'Rate limit reached for gpt-4.1-mini', retryAfterSeconds: 7 });
    const error = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as OpenAIError;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get('retry-after')).toBe('7');
    expect(apiError.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-4.1-mini' });

    // A stream refused before it started is an HTTP error too, not a 200 with an error event.
    const streamed = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }], stream: true }).catch((thrown: unknown) => thrown);
    expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it('names the invalid field in a 400, and 404s an unknown model', async () => {
    const invalid = await client.chat.completions
      .create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }], temperature: 3 })
      .catch((thrown: unknown) => thrown);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect((invalid as OpenAIError).error).toMatchObject({ param: 'temperature', type: 'invalid_request_error' });
    expect((invalid as OpenAIError).message).toMatch(/^400 temperature: /);

    const unknown = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as OpenAIError).error).toMatchObject({ code: 'model_not_found' });
  });

  it("applies the core's parameter rules: top_p 0 is served, tool-call arguments that are not JSON are a 400 before any upstream call", async () => {
    context.openai.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 3, output: 1 } });
    await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }], top_p: 0 });
    expect(lastBody(context.openai.requests).top_p).toBe(0);

    const before = context.openai.requests.length;
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city": Paris}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'sunny' },
    ];
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ model: models.openai, messages, stream }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as OpenAIError).error).toMatchObject({ type: 'invalid_request_error' });
      expect((error as OpenAIError).message).toContain('toolCalls[0].arguments: not valid JSON (tool call "call_1")');
    }
    expect(context.openai.requests.length).toBe(before);
  });

  it('reports a rejected upstream key as a 502 without quoting the upstream message', async () => {
    context.openai.setScenario({ kind: 'error', status: 401, message: 'Incorrect API key provided: sk-upst*****nai' });
    const error = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as OpenAIError).status).toBe(502);
    expect((error as OpenAIError).headers?.get('x-should-retry')).toBe('false');
    expect((error as OpenAIError).message).not.toContain('sk-');
  });

  it('ends a stream that breaks mid-way with an error event and [DONE], which the SDK raises', async () => {
    context.openai.setScenario({ kind: 'cut', chunks: ['partial ', 'answer'] });
    const stream = await client.chat.completions.create({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((thrown: unknown) => thrown);
    expect(text).toBe('partial answer');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as OpenAIError).error).toMatchObject({ code: 'upstream_protocol_error' });

    context.openai.setScenario({ kind: 'cut', chunks: ['partial'] });
    const raw = await fetch(`${context.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${context.apiKey}` },
      body: JSON.stringify({ model: models.openai, messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const events = (await raw.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice('data: '.length))).toMatchObject({ error: { type: 'upstream_error', code: 'upstream_protocol_error' } });
  });
});

describe('cancellation', () => {
  it('closes the upstream connection when the SDK aborts a stream', async () => {
    context.openai.setScenario({ kind: 'hang', chunks: ['thinking…'] });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: models.openai, messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { signal: controller.signal },
    );
    let sawText!: () => void;
    const textSeen = new Promise<void>((resolve) => (sawText = resolve));
    const consumed = (async () => {
      for await (const chunk of stream) if (chunk.choices[0]?.delta.content) sawText();
    })().catch((thrown: unknown) => thrown);
    await textSeen;
    const close = await closeCausedBy(context.openai, () => controller.abort());
    expect(close.request).toBe(context.openai.requests.at(-1));
    // The SDK ends an aborted stream's iteration quietly.
    expect(await consumed).toBeUndefined();
  });

  it('closes the upstream connection when the SDK aborts a non-streaming call', async () => {
    const settled = await abortWhileUpstreamHangs(context.anthropic, (signal) =>
      client.chat.completions.create({ model: models.anthropic, messages: [{ role: 'user', content: 'Hi' }] }, { signal }),
    );
    expect(settled).toBeInstanceOf(OpenAI.APIUserAbortError);
  });
});

describe('GET /v1/models', () => {
  it('lists and retrieves only the models the key may use', async () => {
    const { secret } = await context.app.createKey({ name: 'gemini only', allowedModels: [models.gemini] });
    const narrow = new OpenAI({ baseURL: context.baseUrl, apiKey: secret, maxRetries: 0 });
    const listed = await narrow.models.list();
    expect(listed.data.map((model) => model.id)).toEqual([models.gemini]);
    await expect(narrow.models.retrieve(models.openai)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await narrow.models.retrieve(models.gemini)).id).toBe(models.gemini);
  });

  it('lists routable models with OpenRouter pricing and retrieves ids that contain a slash', async () => {
    const page = await client.models.list();
    const byId = new Map(page.data.map((model) => [model.id, model as OpenAI.Model & Record<string, any>]));
    const configured = byId.get(models.anthropic)!;
    expect(configured).toMatchObject({
      object: 'model',
      owned_by: 'ant',
      pricing: { prompt: '0.000003', completion: '0.000015', input_cache_read: '0.0000003', input_cache_write: '0.00000375' },
    });
    expect(typeof configured.created).toBe('number');
    const catalogId = page.data.find((model) => model.id.startsWith('oai/'))!.id;
    expect(page.data.every((model) => !model.id.startsWith('groq/'))).toBe(true);

    const retrieved = (await client.models.retrieve(catalogId)) as OpenAI.Model & Record<string, any>;
    expect(retrieved.id).toBe(catalogId);
    expect(retrieved.context_length).toBeGreaterThan(0);
    const raw = await fetch(`${context.baseUrl}/models/${catalogId}`, { headers: { authorization: `Bearer ${context.apiKey}` } });
    expect((await raw.json()).id).toBe(catalogId);

    const missing = await client.models.retrieve('groq/llama-3.3-70b-versatile').catch((thrown: unknown) => thrown);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
