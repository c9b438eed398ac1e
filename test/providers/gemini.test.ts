import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderAdapter, HttpClient } from '../../src/core/ports.ts';
import type { ChatRequest, StreamPart } from '../../src/core/types.ts';
import { createGeminiAdapter } from '../../src/providers/gemini/create-gemini-adapter.ts';
import { geminiError } from '../../src/providers/gemini/gemini-error.ts';
import { createGeminiStreamDecoder } from '../../src/providers/gemini/gemini-stream.ts';
import { mapGeminiBlockReason, mapGeminiFinishReason } from '../../src/providers/gemini/map-gemini-finish-reason.ts';
import { createUndiciHttpClient } from '../../src/providers/shared/http-client.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { decodeBody, expectPost, wholeToolCall } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { simulatedThoughtSignature, startGeminiSimulator } from './gemini-simulator.ts';

runAdapterCases({
  name: 'gemini',
  startSimulator: startGeminiSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createGeminiAdapter({ providerId: 'gemini', baseUrl, http, apiKey }),
  model: 'gemini-2.5-flash',
  // Gemini sends each function call whole: one tool-call-delta per call.
  toolArgumentsStreamed: false,
});

describe('gemini adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  let adapter: ProviderAdapter;
  const signal = () => new AbortController().signal;
  const base: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
  const lastBody = () => simulator.requests.at(-1)!.body as Record<string, unknown>;

  beforeAll(async () => {
    simulator = await startGeminiSimulator();
    http = createUndiciHttpClient();
    adapter = createGeminiAdapter({
      providerId: 'gemini',
      baseUrl: simulator.baseUrl,
      http,
      apiKey: 'g-key',
      headers: { 'x-extra': 'yes' },
      toolCallId: (index) => `generated_${index}`,
    });
    simulator.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } });
  });
  afterAll(async () => {
    await http?.close();
    await simulator?.close();
  });

  it('posts to models/{model}:generateContent with x-goog-api-key and no bearer token', async () => {
    await adapter.generate(base, signal());
    const recorded = simulator.requests.at(-1)!;
    expectPost(recorded, '/v1beta/models/gemini-2.5-flash:generateContent', { 'x-goog-api-key': 'g-key', 'x-extra': 'yes', 'content-type': 'application/json', authorization: undefined });
    expect(recorded.body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('streams from models/{model}:streamGenerateContent?alt=sse', async () => {
    await collect(adapter.stream(base, signal()));
    expect(simulator.requests.at(-1)!.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('sends system messages as systemInstruction, images as inlineData / fileData, and the generation config', async () => {
    await adapter.generate(
      {
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'system', content: 'Answer in French.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these?' },
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
              { type: 'image', url: 'data:image/webp;base64,UklGRg==' },
              { type: 'image', url: 'https://example.com/cat.jpg' },
            ],
          },
        ],
        temperature: 0.2,
        topP: 0.9,
        maxOutputTokens: 100,
        stop: ['END'],
        seed: 7,
        user: 'end-user-1',
      },
      signal(),
    );
    expect(lastBody()).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] },
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'What is in these?' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { inlineData: { mimeType: 'image/webp', data: 'UklGRg==' } },
            { fileData: { fileUri: 'https://example.com/cat.jpg', mimeType: 'image/jpeg' } },
          ],
        },
      ],
      generationConfig: { temperature: 0.2, topP: 0.9, maxOutputTokens: 100, stopSequences: ['END'], seed: 7 },
    });
  });

  it('sends a multi-turn function-calling conversation with the thought signature and functionResponse parts', async () => {
    await adapter.generate(
      {
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
          {
            role: 'assistant',
            content: null,
            reasoning: [{ type: 'thinking', text: 'Need both tools.', signature: 'sig-1' }],
            toolCalls: [
              { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_b', name: 'get_time', arguments: '' },
            ],
          },
          { role: 'tool', toolCallId: 'call_a', content: '{"temperature":21}' },
          { role: 'tool', toolCallId: 'call_b', name: 'get_time', content: 'clock unavailable', isError: true },
          { role: 'assistant', content: 'It is 21°C.' },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
              additionalProperties: false,
            },
          },
          { name: 'get_time', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { name: 'get_weather' },
      },
      signal(),
    );
    const body = lastBody();
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather and time in Paris?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-1' },
          { functionCall: { name: 'get_time', args: {} } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { output: { temperature: 21 } } } },
          { functionResponse: { name: 'get_time', response: { error: 'clock unavailable' } } },
        ],
      },
      { role: 'model', parts: [{ text: 'It is 21°C.' }] },
      { role: 'user', parts: [{ text: 'Thanks' }] },
    ]);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parametersJsonSchema: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
              additionalProperties: false,
            },
          },
          { name: 'get_time', parametersJsonSchema: { type: 'object', properties: {} } },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it.each([
    ['auto', 'AUTO'],
    ['none', 'NONE'],
    ['required', 'ANY'],
  ] as const)('maps tool choice %s to mode %s', async (choice, mode) => {
    await adapter.generate({ ...base, toolChoice: choice }, signal());
    expect(lastBody().toolConfig).toEqual({ functionCallingConfig: { mode } });
  });

  it('rejects a tool message whose call cannot be found, before calling the upstream', async () => {
    const before = simulator.requests.length;
    await expect(
      adapter.generate({ ...base, messages: [{ role: 'tool', toolCallId: 'nope', content: 'x' }] }, signal()),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(simulator.requests.length).toBe(before);
  });

  it('asks for JSON with responseMimeType and responseJsonSchema', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    await adapter.generate({ ...base, responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true } }, signal());
    expect(lastBody().generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    await adapter.generate({ ...base, responseFormat: { type: 'json_object' } }, signal());
    expect(lastBody().generationConfig).toEqual({ responseMimeType: 'application/json' });
    await adapter.generate({ ...base, responseFormat: { type: 'text' } }, signal());
    expect(lastBody().generationConfig).toBeUndefined();
  });

  it('turns reasoning options into thinkingConfig with thought summaries', async () => {
    await adapter.generate({ ...base, reasoning: { effort: 'high', budgetTokens: 2000 } }, signal());
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2000, includeThoughts: true } });
    await adapter.generate({ ...base, reasoning: { effort: 'low' } }, signal());
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    await adapter.generate({ ...base, reasoning: {} }, signal());
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { includeThoughts: true } });
    await adapter.generate({ ...base, reasoning: { budgetTokens: 0 } }, signal());
    expect(lastBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
  });

  it('maps a SAFETY finish to CONTENT_FILTER, keeping the raw value', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['I cannot'], usage: { input: 5, output: 2 }, finish: 'content_filter' });
    const result = await adapter.generate(base, signal());
    expect(result.finishReason).toEqual({ unified: 'CONTENT_FILTER', raw: 'SAFETY' });
    const parts = await collect(adapter.stream(base, signal()));
    expect(parts.find((p) => p.type === 'finish')).toEqual({ type: 'finish', finishReason: { unified: 'CONTENT_FILTER', raw: 'SAFETY' } });
  });

  it('bills thoughts as output: candidatesTokenCount + thoughtsTokenCount', async () => {
    simulator.setScenario({ kind: 'text', reasoningChunks: ['Hmm'], chunks: ['42'], usage: { input: 10, output: 20, reasoning: 12, cachedInput: 4 } });
    const raw = await http.request({
      url: `${simulator.baseUrl}/models/gemini-2.5-flash:generateContent`,
      method: 'POST',
      headers: { 'x-goog-api-key': 'g-key', 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [] }),
    });
    const wire = JSON.parse(await raw.text()) as { usageMetadata: Record<string, number> };
    expect(wire.usageMetadata).toMatchObject({ promptTokenCount: 10, candidatesTokenCount: 8, thoughtsTokenCount: 12, cachedContentTokenCount: 4, totalTokenCount: 30 });
    const expected = { inputTokens: 10, outputTokens: 20, cachedInputTokens: 4, cacheWriteTokens: 0, reasoningTokens: 12 };
    expect((await adapter.generate(base, signal())).usage).toEqual(expected);
    const parts = await collect(adapter.stream(base, signal()));
    expect(parts.filter((p) => p.type === 'usage')).toEqual([{ type: 'usage', usage: expected }]);
  });

  it('keeps the thought signature as a reasoning block, and generates ids for calls Gemini sent without one', async () => {
    simulator.setScenario({
      kind: 'tool-calls',
      calls: [{ id: 'ignored', name: 'get_time', arguments: '{"timezone":"UTC"}' }],
      usage: { input: 3, output: 4 },
    });
    const result = await adapter.generate(base, signal());
    expect(result.toolCalls).toEqual([{ id: 'generated_0', name: 'get_time', arguments: '{"timezone":"UTC"}' }]);
    expect(result.reasoningBlocks).toEqual([{ type: 'thinking', text: '', signature: simulatedThoughtSignature }]);
    const parts = await collect(adapter.stream(base, signal()));
    expect(parts.filter((p) => p.type !== 'response-metadata')).toEqual([
      ...wholeToolCall(0, 'generated_0', 'get_time', '{"timezone":"UTC"}'),
      { type: 'reasoning-block', block: { type: 'thinking', text: '', signature: simulatedThoughtSignature } },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'TOOL_CALLS', raw: 'STOP' } },
    ]);
    expect(parts[0]).toMatchObject({ type: 'response-metadata', model: 'gemini-2.5-flash' });
  });

  it('maps a 503 UNAVAILABLE to OVERLOADED and a 504 to TIMEOUT', async () => {
    simulator.setScenario({ kind: 'error', status: 503, message: 'The model is overloaded. Please try again later.' });
    await expect(adapter.generate(base, signal())).rejects.toMatchObject({ code: 'OVERLOADED', upstreamCode: 'UNAVAILABLE', provider: 'gemini' });
    simulator.setScenario({ kind: 'error', status: 504, message: 'Deadline exceeded' });
    await expect(adapter.generate(base, signal())).rejects.toMatchObject({ code: 'TIMEOUT' });
  });

  it('takes injected URL building and auth headers (as a Vertex AI adapter will)', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } });
    const seen: Array<[string, boolean]> = [];
    const vertexLike = createGeminiAdapter({
      providerId: 'vertex',
      http,
      buildUrl: (model, stream) => {
        seen.push([model, stream]);
        return `${simulator.baseUrl}/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
      },
      authHeaders: async () => ({ authorization: 'Bearer ya29.token' }),
    });
    expect((await vertexLike.generate(base, signal())).text).toBe('ok');
    await collect(vertexLike.stream(base, signal()));
    expect(seen).toEqual([
      ['gemini-2.5-flash', false],
      ['gemini-2.5-flash', true],
    ]);
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.headers.authorization).toBe('Bearer ya29.token');
    expect(recorded.headers['x-goog-api-key']).toBeUndefined();
  });
});

describe('mapGeminiFinishReason', () => {
  it.each([
    ['STOP', false, 'STOP'],
    ['STOP', true, 'TOOL_CALLS'],
    ['MAX_TOKENS', false, 'LENGTH'],
    ['MAX_TOKENS', true, 'LENGTH'],
    ['SAFETY', false, 'CONTENT_FILTER'],
    ['RECITATION', false, 'CONTENT_FILTER'],
    ['BLOCKLIST', false, 'CONTENT_FILTER'],
    ['PROHIBITED_CONTENT', false, 'CONTENT_FILTER'],
    ['SPII', false, 'CONTENT_FILTER'],
    ['IMAGE_SAFETY', false, 'CONTENT_FILTER'],
    ['MALFORMED_FUNCTION_CALL', false, 'ERROR'],
    ['LANGUAGE', false, 'OTHER'],
    ['OTHER', false, 'OTHER'],
    ['FINISH_REASON_UNSPECIFIED', false, 'OTHER'],
  ] as const)('%s (calls: %s) -> %s', (raw, hasToolCalls, unified) => {
    expect(mapGeminiFinishReason(raw, hasToolCalls)).toEqual({ unified, raw });
  });

  it('maps a missing reason to OTHER and a prompt block to CONTENT_FILTER', () => {
    expect(mapGeminiFinishReason(undefined, false)).toEqual({ unified: 'OTHER', raw: null });
    expect(mapGeminiBlockReason('SAFETY')).toEqual({ unified: 'CONTENT_FILTER', raw: 'SAFETY' });
  });
});

describe('geminiError', () => {
  const body = (error: Record<string, unknown>) => JSON.stringify({ error });

  it('treats a 400 API_KEY_INVALID as an upstream authentication error', () => {
    const error = geminiError({
      status: 400,
      headers: {},
      providerId: 'gemini',
      body: body({
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        status: 'INVALID_ARGUMENT',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      }),
    });
    expect(error).toMatchObject({ code: 'UPSTREAM_AUTHENTICATION', upstreamStatus: 400, upstreamCode: 'API_KEY_INVALID' });
    expect(error.message).toBe('API key not valid. Please pass a valid API key.');
  });

  it('recognises the context-length message of a 400 INVALID_ARGUMENT', () => {
    const message = 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).';
    const error = geminiError({ status: 400, headers: {}, providerId: 'gemini', body: body({ code: 400, message, status: 'INVALID_ARGUMENT' }) });
    expect(error).toMatchObject({ code: 'CONTEXT_LENGTH_EXCEEDED', message, upstreamCode: 'INVALID_ARGUMENT' });
  });

  it('prefers a Retry-After header over RetryInfo, and reads fractional retryDelay', () => {
    const retryBody = body({ code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }] });
    expect(geminiError({ status: 429, headers: {}, providerId: 'gemini', body: retryBody }).retryAfterMs).toBe(1500);
    expect(geminiError({ status: 429, headers: { 'retry-after': '3' }, providerId: 'gemini', body: retryBody }).retryAfterMs).toBe(3000);
  });

  it('maps 403 PERMISSION_DENIED and 401 UNAUTHENTICATED', () => {
    const forbidden = geminiError({ status: 403, headers: {}, providerId: 'gemini', body: body({ code: 403, message: 'denied', status: 'PERMISSION_DENIED' }) });
    expect(forbidden.code).toBe('UPSTREAM_PERMISSION');
    const unauthenticated = geminiError({ status: 401, headers: {}, providerId: 'gemini', body: body({ code: 401, message: 'no', status: 'UNAUTHENTICATED' }) });
    expect(unauthenticated.code).toBe('UPSTREAM_AUTHENTICATION');
  });

  it('keeps a body that is not JSON as the message', () => {
    const error = geminiError({ status: 502, headers: {}, providerId: 'gemini', body: '<html>Bad Gateway</html>' });
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', message: '<html>Bad Gateway</html>', upstreamStatus: 502 });
  });
});

describe('geminiStream on recorded chunks', () => {
  const encoder = new TextEncoder();
  async function* bytes(...pieces: string[]): AsyncGenerator<Uint8Array> {
    for (const piece of pieces) yield encoder.encode(piece);
  }
  const event = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\r\n\r\n`;
  const run = (...pieces: string[]) =>
    collect(decodeBody(bytes(...pieces), createGeminiStreamDecoder({ providerId: 'gemini', toolCallId: (index) => `gen_${index}` })));
  const types = (parts: StreamPart[]) => parts.map((p) => p.type);

  it('keeps ids Gemini 3 sends on function calls', async () => {
    const parts = await run(
      event({ candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'fc-1', name: 'f', args: { a: 1 } } }] }, finishReason: 'STOP' }] }),
    );
    expect(parts).toContainEqual({ type: 'tool-call-start', index: 0, id: 'fc-1', name: 'f' });
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'TOOL_CALLS', raw: 'STOP' } });
  });

  it('ends a prompt blocked by promptFeedback with a CONTENT_FILTER finish', async () => {
    const parts = await run(event({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } }));
    expect(parts.slice(1)).toEqual([
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } },
      { type: 'finish', finishReason: { unified: 'CONTENT_FILTER', raw: 'PROHIBITED_CONTENT' } },
    ]);
  });

  it('turns malformed JSON into an error part after what was received', async () => {
    const parts = await run(event({ candidates: [{ content: { parts: [{ text: 'Hi' }] } }] }), event('{"candidates": ['));
    expect(types(parts)).toEqual(['response-metadata', 'text-delta', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR', provider: 'gemini' } });
  });

  it('reports a stream that ends without a finish reason, with the usage seen so far', async () => {
    const parts = await run(event({ candidates: [{ content: { parts: [{ text: 'Hi' }] } }], usageMetadata: { promptTokenCount: 4 } }));
    expect(types(parts)).toEqual(['response-metadata', 'text-delta', 'usage', 'error']);
    expect(parts.at(-1)).toMatchObject({ error: { code: 'UPSTREAM_PROTOCOL_ERROR' } });
  });

  it('maps an error object inside the stream', async () => {
    const parts = await run(event({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
    expect(parts).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'OVERLOADED', message: 'The model is overloaded.' }) }]);
  });

  it('handles events split anywhere across chunks and takes the last usageMetadata', async () => {
    const whole =
      event({ candidates: [{ content: { parts: [{ text: 'thinking', thought: true }] } }], usageMetadata: { promptTokenCount: 5, thoughtsTokenCount: 3 } }) +
      event({ candidates: [{ content: { parts: [{ text: 'héllo' }] }, finishReason: 'MAX_TOKENS' }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, thoughtsTokenCount: 3 } });
    const raw = encoder.encode(whole);
    async function* split(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < raw.length; i += 7) yield raw.slice(i, i + 7);
    }
    const parts = await collect(decodeBody(split(), createGeminiStreamDecoder({ providerId: 'gemini', toolCallId: () => 'x' })));
    expect(parts.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'thinking' },
      { type: 'text-delta', text: 'héllo' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 3 } },
      { type: 'finish', finishReason: { unified: 'LENGTH', raw: 'MAX_TOKENS' } },
    ]);
  });
});
