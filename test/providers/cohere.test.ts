import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../src/core/types.ts';
import { cohereError } from '../../src/providers/cohere/cohere-error.ts';
import { createCohereStreamDecoder } from '../../src/providers/cohere/cohere-stream.ts';
import { createCohereAdapter } from '../../src/providers/cohere/create-cohere-adapter.ts';
import { mapCohereFinishReason } from '../../src/providers/cohere/map-cohere-finish-reason.ts';
import { mapCohereUsage } from '../../src/providers/cohere/map-cohere-usage.ts';
import { createProviderAdapter, findProviderKind, isConfigured, PROVIDER_KINDS } from '../../src/providers/registry.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { decodeBody, expectPost, itMapsFinishReasons, sayHi, signal, wholeToolCall } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { cohereTemplateTokens, startCohereSimulator } from './cohere-simulator.ts';

runAdapterCases({
  name: 'cohere',
  startSimulator: startCohereSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createCohereAdapter({ providerId: 'cohere', baseUrl, http, apiKey }),
  model: 'command-a-03-2025',
  // Cohere streams thinking, but its usage has no reasoning-token count; covered below instead.
  supportsReasoning: false,
  billsCacheReads: false,
});

const model = 'command-a-03-2025';
const hello = sayHi(model);

describe('cohere adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  const adapter = () => createCohereAdapter({ providerId: 'cohere', baseUrl: simulator.baseUrl, http, apiKey: 'co-key', headers: { 'x-client-name': 'modelgraph' } });
  const lastBody = () => simulator.requests.at(-1)!.body as Record<string, unknown>;

  useSimulatorAndClient(startCohereSimulator, (started) => ({ simulator, http } = started));

  it('posts to /v2/chat with a bearer key, a text-only user message as a string, and no stream flag', async () => {
    await adapter().generate(hello, signal());
    const recorded = simulator.requests.at(-1)!;
    expectPost(recorded, '/v2/chat', { authorization: 'Bearer co-key', 'x-client-name': 'modelgraph', 'content-type': 'application/json' });
    expect(recorded.body).toEqual({ model, messages: [{ role: 'user', content: 'Hi' }] });
    await collect(adapter().stream(hello, signal()));
    expect(lastBody().stream).toBe(true);
  });

  it('sends the conversation in order with tool calls, tool results and images, and the sampling options', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          { role: 'system', content: 'You are terse.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather here?' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png', detail: 'low' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
          { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
          { role: 'tool', toolCallId: 'call_1', content: '{"temp":21}' },
          { role: 'assistant', content: 'It is 21°C.' },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
        temperature: 0.3,
        topP: 0.9,
        maxOutputTokens: 200,
        stop: ['END'],
        seed: 42,
        user: 'end-user-1',
        parallelToolCalls: false,
      },
      signal(),
    );
    expect(lastBody()).toEqual({
      model,
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'assistant', content: 'It is 21°C.' },
        { role: 'user', content: 'Thanks' },
      ],
      temperature: 0.3,
      p: 0.9,
      max_tokens: 200,
      stop_sequences: ['END'],
      seed: 42,
    });
  });

  it('sends tools as functions and maps tool choice, a named choice being REQUIRED with that tool alone', async () => {
    const tools = [
      { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
      { name: 'get_time', parameters: { type: 'object', properties: {} } },
    ];
    await adapter().generate({ ...hello, tools }, signal());
    expect(lastBody().tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: tools[0]!.parameters } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(lastBody().strict_tools).toBe(true);
    expect(lastBody().tool_choice).toBeUndefined();
    await adapter().generate({ ...hello, tools, toolChoice: 'required' }, signal());
    expect(lastBody().tool_choice).toBe('REQUIRED');
    await adapter().generate({ ...hello, tools, toolChoice: 'none' }, signal());
    expect(lastBody().tool_choice).toBe('NONE');
    await adapter().generate({ ...hello, tools, toolChoice: { name: 'get_time' } }, signal());
    expect(lastBody().tool_choice).toBe('REQUIRED');
    expect((lastBody().tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name)).toEqual(['get_time']);
  });

  it('asks for JSON with response_format json_object, with the schema when one is given', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    await adapter().generate({ ...hello, responseFormat: { type: 'json_schema', name: 'answer', schema } }, signal());
    expect(lastBody().response_format).toEqual({ type: 'json_object', json_schema: schema });
    await adapter().generate({ ...hello, responseFormat: { type: 'json_object' } }, signal());
    expect(lastBody().response_format).toEqual({ type: 'json_object' });
    await adapter().generate({ ...hello, responseFormat: { type: 'text' } }, signal());
    expect(lastBody().response_format).toBeUndefined();
  });

  it('turns reasoning options into thinking with a token budget', async () => {
    await adapter().generate({ ...hello, reasoning: { budgetTokens: 2000 } }, signal());
    expect(lastBody().thinking).toEqual({ type: 'enabled', token_budget: 2000 });
    await adapter().generate({ ...hello, reasoning: { effort: 'low' } }, signal());
    expect(lastBody().thinking).toEqual({ type: 'enabled', token_budget: 1024 });
    await adapter().generate({ ...hello, reasoning: {} }, signal());
    expect(lastBody().thinking).toEqual({ type: 'enabled' });
    await adapter().generate({ ...hello, reasoning: { budgetTokens: 0 } }, signal());
    expect(lastBody().thinking).toEqual({ type: 'disabled' });
  });

  it('reports thinking as reasoning, apart from the answer, in both modes', async () => {
    simulator.setScenario({ kind: 'text', reasoningChunks: ['Think', 'ing...'], chunks: ['42'], usage: { input: 10, output: 20 } });
    const result = await adapter().generate({ ...hello, reasoning: { effort: 'low' } }, signal());
    expect(result).toMatchObject({ text: '42', reasoning: 'Thinking...', reasoningBlocks: [] });
    const parts = await collect(adapter().stream({ ...hello, reasoning: { effort: 'low' } }, signal()));
    expect(parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.text] : [])).join('')).toBe('Thinking...');
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe('42');
  });

  it('reports the tool plan as reasoning, not as answer text', async () => {
    simulator.setScenario({ kind: 'tool-calls', calls: [{ id: 'get_time_x1', name: 'get_time', arguments: '{}' }], usage: { input: 3, output: 4 } });
    const result = await adapter().generate(hello, signal());
    expect(result).toMatchObject({ text: '', reasoning: 'I will call get_time.', finishReason: { unified: 'TOOL_CALLS', raw: 'TOOL_CALL' } });
    expect(result.toolCalls).toEqual([{ id: 'get_time_x1', name: 'get_time', arguments: '{}' }]);
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts.some((p) => p.type === 'text-delta')).toBe(false);
    expect(parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.text] : [])).join('')).toBe('I will call get_time.');
  });

  it('meters billed units, not the larger processed token count', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 40, output: 9, cachedInput: 32 } });
    const raw = await http.request({
      url: `${simulator.baseUrl}/v2/chat`,
      method: 'POST',
      headers: { authorization: 'Bearer co-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    const wire = JSON.parse(await raw.text()) as { usage: Record<string, unknown> };
    expect(wire.usage).toEqual({
      billed_units: { input_tokens: 40, output_tokens: 9 },
      tokens: { input_tokens: 40 + cohereTemplateTokens, output_tokens: 10 },
      cached_tokens: 32,
    });
    // Billed units carry no cache line: cached_tokens (on the `tokens` base) does not discount them.
    const expected = { inputTokens: 40, outputTokens: 9, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    expect((await adapter().generate(hello, signal())).usage).toEqual(expected);
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts.filter((p) => p.type === 'usage')).toEqual([{ type: 'usage', usage: expected }]);
  });

  it('is the registry kind "cohere", replacing the Compatibility API entry, and is built from a key', async () => {
    expect(PROVIDER_KINDS.filter((kind) => kind.kind === 'cohere')).toHaveLength(1);
    expect(findProviderKind('cohere')).toMatchObject({ protocol: 'cohere', catalogId: null, defaultBaseUrl: 'https://api.cohere.com' });
    expect(isConfigured({ id: 'cohere', kind: 'cohere' })).toBe(false);
    expect(isConfigured({ id: 'cohere', kind: 'cohere', apiKey: 'k' })).toBe(true);
    const built = createProviderAdapter({ id: 'my-cohere', kind: 'cohere', baseUrl: `${simulator.baseUrl}/`, apiKey: 'from-config' }, http);
    expect((await built.generate(hello, signal())).text).toBe('ok');
    expect(simulator.requests.at(-1)!.headers.authorization).toBe('Bearer from-config');
  });

  it('maps 429 with retry-after, a 498 invalid token, and keeps the message of a 503', async () => {
    simulator.setScenario({ kind: 'error', status: 429, message: "You are using a Trial key, which is limited to 10 API calls / minute.", retryAfterSeconds: 3 });
    await expect(adapter().generate(hello, signal())).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 3000, upstreamStatus: 429, provider: 'cohere' });
    simulator.setScenario({ kind: 'error', status: 498, message: 'invalid api token' });
    await expect(adapter().generate(hello, signal())).rejects.toMatchObject({ code: 'UPSTREAM_AUTHENTICATION', message: 'invalid api token' });
    simulator.setScenario({ kind: 'error', status: 503, message: 'service unavailable' });
    await expect(adapter().generate(hello, signal())).rejects.toMatchObject({ code: 'OVERLOADED', message: 'service unavailable' });
  });
});

describe('mapCohereFinishReason', () => {
  itMapsFinishReasons('%s -> %s', mapCohereFinishReason, [
    ['COMPLETE', 'STOP'],
    ['STOP_SEQUENCE', 'STOP'],
    ['MAX_TOKENS', 'LENGTH'],
    ['TOOL_CALL', 'TOOL_CALLS'],
    ['ERROR', 'ERROR'],
    ['TIMEOUT', 'ERROR'],
    ['SOMETHING_NEW', 'OTHER'],
  ], { title: 'maps a missing reason to OTHER', raw: undefined });
});

describe('mapCohereUsage', () => {
  it('falls back to processed tokens when no billed units are reported, and caps cached tokens at the input', () => {
    expect(mapCohereUsage({ tokens: { input_tokens: 12, output_tokens: 3 }, cached_tokens: 50 })).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cachedInputTokens: 12,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(mapCohereUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it('prices billed units as uncached input: cached_tokens counts on the `tokens` base', () => {
    const recorded = { billed_units: { input_tokens: 119, output_tokens: 44 }, tokens: { input_tokens: 1549, output_tokens: 95 }, cached_tokens: 1504 };
    expect(mapCohereUsage(recorded)).toEqual({ inputTokens: 119, outputTokens: 44, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });
});

describe('cohereError', () => {
  const error = (status: number, body: string, headers: Record<string, string> = {}) => cohereError({ providerId: 'cohere', status, headers, body });

  it('recognises the too-many-tokens 400 as a context-length error', () => {
    const message = 'too many tokens: total number of tokens in the prompt cannot exceed 128000 - received 131072. Try using a shorter prompt.';
    expect(error(400, JSON.stringify({ id: 'abc', message }))).toMatchObject({ code: 'CONTEXT_LENGTH_EXCEEDED', message, upstreamStatus: 400 });
  });

  it('reads both body shapes, and keeps a body that is not JSON', () => {
    expect(error(400, JSON.stringify({ message: 'invalid request: temperature must be at most 5' }))).toMatchObject({
      code: 'INVALID_REQUEST',
      message: 'invalid request: temperature must be at most 5',
    });
    expect(error(502, '<html>Bad Gateway</html>')).toMatchObject({ code: 'UPSTREAM_ERROR', message: '<html>Bad Gateway</html>' });
    expect(error(422, JSON.stringify({ id: 'x', message: 'unprocessable' }))).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});

describe('cohereStream on recorded events', () => {
  const encoder = new TextEncoder();
  async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) yield encoder.encode(piece);
  }
  const event = (data: Record<string, unknown> | string) =>
    typeof data === 'string' ? `data: ${data}\n\n` : `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
  const run = (...pieces: string[]) => collect(decodeBody(bytes(...pieces), createCohereStreamDecoder({ providerId: 'cohere', signal: signal() })));
  const types = (parts: StreamPart[]) => parts.map((p) => p.type);
  const end = event({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 2, output_tokens: 1 } } } });

  it('tolerates a trailing [DONE] and ignores citation events', async () => {
    const parts = await run(
      event({ type: 'message-start', id: 'm1' }),
      event({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
      event({ type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hi' } } } }),
      event({ type: 'citation-start', index: 0, delta: { message: { citations: { start: 0, end: 2, text: 'Hi', sources: [] } } } }),
      event({ type: 'citation-end', index: 0 }),
      event({ type: 'content-end', index: 0 }),
      end,
      event('[DONE]'),
    );
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'm1', model: null },
      { type: 'text-delta', text: 'Hi' },
      { type: 'usage', usage: { inputTokens: 2, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'STOP', raw: 'COMPLETE' } },
    ]);
  });

  it('sends arguments that arrive whole on tool-call-start, and {} for a call without arguments', async () => {
    const parts = await run(
      event({ type: 'message-start', id: 'm2' }),
      event({ type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } } } } }),
      event({ type: 'tool-call-end', index: 0 }),
      event({ type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 'c2', type: 'function', function: { name: 'g', arguments: '' } } } } }),
      event({ type: 'tool-call-end', index: 1 }),
      event({ type: 'message-end', delta: { finish_reason: 'TOOL_CALL' } }),
    );
    expect(parts.slice(1, 7)).toEqual([
      ...wholeToolCall(0, 'c1', 'f', '{"a":1}'),
      ...wholeToolCall(1, 'c2', 'g', '{}'),
    ]);
  });

  it('turns malformed JSON into an error part after what was received', async () => {
    const parts = await run(event({ type: 'message-start', id: 'm3' }), event({ type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hi' } } } }), 'data: {"type": "content-\n\n');
    expect(types(parts)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR', provider: 'cohere' } });
  });

  it('reports an ERROR finish as such, with its usage', async () => {
    const parts = await run(event({ type: 'message-start', id: 'm4' }), event({ type: 'message-end', delta: { finish_reason: 'ERROR', error: 'internal error' } }));
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'ERROR', raw: 'ERROR' } });
  });
});
