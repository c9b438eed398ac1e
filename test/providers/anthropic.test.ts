import { describe, expect, it } from 'vitest';
import type { ChatRequest, StreamPart } from '../../src/core/types.ts';
import { createAnthropicAdapter } from '../../src/providers/anthropic/create-anthropic-adapter.ts';
import { mapAnthropicStopReason } from '../../src/providers/anthropic/map-anthropic-stop-reason.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { collect, runAdapterCases } from '../helpers/adapter-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { cannedHttp, caught, expectPost, itMapsFinishReasons, messagesAndConverseStopReasons, sayHi, signal, wholeToolCall } from '../helpers/provider-test-kit.ts';
import type { CloseMark, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startAnthropicSimulator } from './anthropic-simulator.ts';

runAdapterCases({
  name: 'anthropic',
  startSimulator: startAnthropicSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createAnthropicAdapter({ providerId: 'anthropic', baseUrl, http, apiKey }),
});

const model = 'claude-test';
const hello = sayHi(model);

describe('anthropic adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  const adapter = (extra: { anthropicVersion?: string; authToken?: string; headers?: Record<string, string> } = {}) =>
    createAnthropicAdapter({ providerId: 'anthropic', baseUrl: simulator.baseUrl, http, apiKey: 'sk-ant-test', ...extra });
  const lastBody = () => simulator.requests.at(-1)!.body as Record<string, unknown>;

  useSimulatorAndClient(startAnthropicSimulator, (started) => ({ simulator, http } = started));

  it('sends x-api-key and anthropic-version to POST /v1/messages, with max_tokens defaulting to 4096', async () => {
    await adapter().generate(hello, signal());
    const recorded = simulator.requests.at(-1)!;
    expectPost(recorded, '/v1/messages', { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', authorization: undefined, 'content-type': 'application/json' });
    expect(recorded.body).toEqual({ model, max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
  });

  it('uses a bearer token instead of x-api-key in authToken mode, and takes another anthropic-version', async () => {
    await adapter({ authToken: 'oauth-token', anthropicVersion: '2024-01-01', headers: { 'anthropic-beta': 'x' } }).generate(hello, signal());
    const { headers } = simulator.requests.at(-1)!;
    expect(headers['authorization']).toBe('Bearer oauth-token');
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['anthropic-version']).toBe('2024-01-01');
    expect(headers['anthropic-beta']).toBe('x');
  });

  it('asks for a stream with stream: true', async () => {
    await collect(adapter().stream(hello, signal()));
    expect(lastBody()['stream']).toBe(true);
    expect(simulator.requests.at(-1)!.headers['accept']).toBe('text/event-stream');
  });

  it('extracts system messages into top-level system text blocks, passing cache_control through', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          { role: 'system', content: 'You are terse.', cacheControl: { type: 'ephemeral' } },
          { role: 'user', content: [{ type: 'text', text: 'Long document', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: [{ type: 'text', text: 'Summarise it' }] },
        ],
      },
      signal(),
    );
    const body = lastBody();
    expect(body['system']).toEqual([
      { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Answer in French.' },
    ]);
    // The two user messages around the system message merge into one turn.
    expect(body['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Long document', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: 'Summarise it' },
        ],
      },
    ]);
  });

  it('sends images as base64 or url sources', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', data: 'iVBORw0KGgo=', mediaType: 'image/png' },
              { type: 'image', url: 'data:image/jpeg;base64,/9j/4AAQ' },
              { type: 'image', url: 'https://example.com/cat.webp' },
              { type: 'text', text: 'What are these?' },
            ],
          },
        ],
      },
      signal(),
    );
    expect(lastBody()['messages']).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.webp' } },
          { type: 'text', text: 'What are these?' },
        ],
      },
    ]);
  });

  it('sends tool calls back as tool_use and their results as tool_result blocks in one user turn', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
          {
            role: 'assistant',
            content: 'Checking.',
            toolCalls: [
              { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'toolu_2', name: 'get_time', arguments: '' },
            ],
          },
          { role: 'tool', toolCallId: 'toolu_1', content: '18°C' },
          { role: 'tool', toolCallId: 'toolu_2', content: 'clock unavailable', isError: true },
          { role: 'user', content: [{ type: 'text', text: 'Be brief.' }] },
        ],
        tools: [
          { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          { name: 'get_time', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: 'required',
        parallelToolCalls: false,
      },
      signal(),
    );
    const body = lastBody();
    expect(body['messages']).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and time in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'clock unavailable', is_error: true },
          { type: 'text', text: 'Be brief.' },
        ],
      },
    ]);
    expect(body['tools']).toEqual([
      { name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body['tool_choice']).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it.each([
    [{ toolChoice: 'auto' as const }, { type: 'auto' }],
    [{ toolChoice: 'none' as const }, { type: 'none' }],
    [{ toolChoice: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
    [{ parallelToolCalls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    [{}, undefined],
  ])('maps tool choice %j to %j', async (extra, expected) => {
    await adapter().generate(
      { ...hello, tools: [{ name: 'get_weather', parameters: { type: 'object' } }], ...extra },
      signal(),
    );
    expect(lastBody()['tool_choice']).toEqual(expected);
  });

  it('sends thinking blocks with their signature, and redacted thinking, first in a later assistant turn', async () => {
    await adapter().generate(
      {
        model,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
          {
            role: 'assistant',
            content: null,
            reasoning: [
              { type: 'thinking', text: 'I should call the tool.', signature: 'EqQBCgIYAhIM' },
              { type: 'redacted', data: 'EmwKAhgBEgy3va' },
              { type: 'thinking', text: 'Unsigned reasoning from elsewhere' },
            ],
            toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{}' }],
          },
          { role: 'tool', toolCallId: 'toolu_1', content: 'sunny' },
        ],
        reasoning: { budgetTokens: 2000 },
      },
      signal(),
    );
    expect((lastBody()['messages'] as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should call the tool.', signature: 'EqQBCgIYAhIM' },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} },
      ],
    });
  });

  it('round-trips a streamed thinking block: its signature comes back as a reasoning-block and goes out again', async () => {
    simulator.setScenario({ kind: 'text', reasoningChunks: ['Let me ', 'think.'], chunks: ['Done'], usage: { input: 9, output: 30, reasoning: 20 } });
    const parts = await collect(adapter().stream({ ...hello, reasoning: { effort: 'low' } }, signal()));
    const blocks = parts.flatMap((p) => (p.type === 'reasoning-block' ? [p.block] : []));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ type: 'thinking', text: 'Let me think.' });
    expect(blocks[0]!.type === 'thinking' && blocks[0]!.signature).toBeTruthy();

    simulator.setScenario({ kind: 'text', reasoningChunks: ['Let me ', 'think.'], chunks: ['Done'], usage: { input: 9, output: 30 } });
    const result = await adapter().generate({ ...hello, reasoning: { effort: 'low' } }, signal());
    expect(result.reasoningBlocks).toEqual(blocks);

    await adapter().generate(
      {
        model,
        messages: [...hello.messages, { role: 'assistant', content: result.text, reasoning: result.reasoningBlocks }, { role: 'user', content: [{ type: 'text', text: 'And?' }] }],
        reasoning: { effort: 'low' },
      },
      signal(),
    );
    expect((lastBody()['messages'] as unknown[])[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: (blocks[0] as { signature: string }).signature },
        { type: 'text', text: 'Done' },
      ],
    });
  });

  it('maps reasoning to a thinking budget and keeps max_tokens above it', async () => {
    const cases: Array<[ChatRequest['reasoning'], number | undefined, number, number]> = [
      [{ effort: 'low' }, undefined, 1024, 4096],
      [{ effort: 'medium' }, 8000, 4096, 8000],
      [{ effort: 'high' }, undefined, 16384, 16384 + 4096],
      [{ budgetTokens: 3000 }, 1000, 3000, 4000],
      [{ budgetTokens: 100 }, 256, 1024, 1280],
    ];
    for (const [reasoning, maxOutputTokens, budget, maxTokens] of cases) {
      await adapter().generate({ ...hello, reasoning, maxOutputTokens, temperature: 0.2 }, signal());
      expect(lastBody()['thinking']).toEqual({ type: 'enabled', budget_tokens: budget });
      expect(lastBody()['max_tokens']).toBe(maxTokens);
      // Thinking does not take temperature changes.
      expect(lastBody()['temperature']).toBeUndefined();
    }
  });

  it('maps sampling options, stop sequences, the end user and a JSON schema response format', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    await adapter().generate(
      {
        ...hello,
        temperature: 0.3,
        topP: 0.9,
        maxOutputTokens: 300,
        stop: ['END'],
        user: 'user-42',
        seed: 7,
        responseFormat: { type: 'json_schema', name: 'answer', schema },
      },
      signal(),
    );
    expect(lastBody()).toMatchObject({
      temperature: 0.3,
      top_p: 0.9,
      max_tokens: 300,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
      output_config: { format: { type: 'json_schema', schema } },
    });
    expect(lastBody()).not.toHaveProperty('seed');
  });

  it('normalises cache usage: input_tokens excludes cache reads and writes', async () => {
    simulator.setScenario({ kind: 'text', chunks: ['cached'], usage: { input: 1000, output: 7, cachedInput: 600, cacheWrite: 300 } });
    // The wire carries Anthropic's convention ...
    const raw = await http.request({
      url: `${simulator.baseUrl}/messages`,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(JSON.parse(await raw.text()).usage).toEqual({
      input_tokens: 100,
      output_tokens: 7,
      cache_creation_input_tokens: 300,
      cache_read_input_tokens: 600,
    });
    // ... and the adapter reports every prompt token in inputTokens.
    const expected = { inputTokens: 1000, outputTokens: 7, cachedInputTokens: 600, cacheWriteTokens: 300, reasoningTokens: 0 };
    expect((await adapter().generate(hello, signal())).usage).toEqual(expected);
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts.filter((p) => p.type === 'usage')).toEqual([{ type: 'usage', usage: expected }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'STOP', raw: 'end_turn' } });
  });

  it('maps a 529 overloaded_error to OVERLOADED, for generate and stream', async () => {
    simulator.setScenario({ kind: 'error', status: 529, message: 'Overloaded' });
    const error = await caught(adapter().generate(hello, signal()));
    expect(error.code).toBe('OVERLOADED');
    expect(error.upstreamStatus).toBe(529);
    expect(error.upstreamCode).toBe('overloaded_error');
    expect(error.provider).toBe('anthropic');
    expect(error.message).toBe('Overloaded');
    const streamError = await caught(collect(adapter().stream(hello, signal())));
    expect(streamError.code).toBe('OVERLOADED');
  });

  it('keeps the error type and retry-after of a 429', async () => {
    simulator.setScenario({ kind: 'error', status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit', retryAfterSeconds: 12 });
    const error = await caught(adapter().generate(hello, signal()));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', upstreamCode: 'rate_limit_error', retryAfterMs: 12_000 });
  });

  it('streams tool calls after a thinking block with tool indexes 0 and 1', async () => {
    simulator.setScenario({
      kind: 'tool-calls',
      chunks: ['Let me look.'],
      calls: [
        { id: 'toolu_a', name: 'a', arguments: '{"x":1}' },
        { id: 'toolu_b', name: 'b', arguments: '{"y":[1,2]}' },
      ],
      usage: { input: 10, output: 10 },
    });
    const parts = await collect(adapter().stream(hello, signal()));
    expect(parts.filter((p) => p.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'b' },
    ]);
    expect(parts.some((p) => p.type === 'tool-call-delta' && p.argumentsDelta === '')).toBe(false);
    expect(parts.at(-1)).toEqual({ type: 'finish', finishReason: { unified: 'TOOL_CALLS', raw: 'tool_use' } });
  });

  it('closes the connection when the consumer stops reading early, without waiting for the upstream', async () => {
    simulator.setScenario({ kind: 'hang', chunks: ['first'] });
    let mark: CloseMark | undefined;
    for await (const part of adapter().stream(hello, signal())) {
      if (part.type === 'text-delta') {
        mark = simulator.markOpenRequests();
        break;
      }
    }
    // Reaching here shows the break did not wait for the hung upstream; the close is the break's.
    const close = await simulator.waitForClientClose(mark!, 3000);
    expect(close.request).toBe(simulator.requests.at(-1));
  });
});

const sse = (event: Record<string, unknown>) => `event: ${String(event['type'])}\ndata: ${JSON.stringify(event)}\n\n`;
const messageStart = sse({
  type: 'message_start',
  message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 1 } },
});

describe('anthropic stream mapping', () => {
  const streamOf = async (chunks: Array<string | Uint8Array>) => {
    const { http } = cannedHttp(200, chunks);
    return collect(createAnthropicAdapter({ providerId: 'anthropic', http, apiKey: 'k' }).stream(hello, signal()));
  };

  it('defaults to https://api.anthropic.com/v1/messages', async () => {
    const { http, requests } = cannedHttp(200, [JSON.stringify({ id: 'msg_1', content: [], stop_reason: 'end_turn', usage: {} })]);
    await createAnthropicAdapter({ providerId: 'anthropic', http, apiKey: 'k' }).generate(hello, signal());
    expect(requests[0]!.url).toBe('https://api.anthropic.com/v1/messages');
  });

  it('maps a thinking block, a redacted block and a tool call without arguments', async () => {
    const parts = await streamOf([
      messageStart,
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      sse({ type: 'ping' }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'c2ln' } }),
      sse({ type: 'content_block_stop', index: 0 }),
      sse({ type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'RUVF' } }),
      sse({ type: 'content_block_stop', index: 1 }),
      sse({ type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'now', input: {} } }),
      sse({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } }),
      sse({ type: 'content_block_stop', index: 2 }),
      sse({ type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40, output_tokens_details: { thinking_tokens: 25 } } }),
      sse({ type: 'message_stop' }),
    ]);
    expect(parts).toEqual<StreamPart[]>([
      { type: 'response-metadata', id: 'msg_1', model: 'claude-x' },
      { type: 'reasoning-delta', text: 'Hmm.' },
      { type: 'reasoning-block', block: { type: 'thinking', text: 'Hmm.', signature: 'c2ln' } },
      { type: 'reasoning-block', block: { type: 'redacted', data: 'RUVF' } },
      ...wholeToolCall(0, 'toolu_1', 'now', '{}'),
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 40, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 25 } },
      { type: 'finish', finishReason: { unified: 'TOOL_CALLS', raw: 'tool_use' } },
    ]);
  });

  it('turns an error event into a final error part', async () => {
    const parts = await streamOf([
      messageStart,
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hal' } }),
      sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
    ]);
    expect(parts.map((p) => p.type)).toEqual(['response-metadata', 'text-delta', 'error']);
    const last = parts.at(-1);
    expect(last?.type === 'error' && last.error.code).toBe('OVERLOADED');
    expect(last?.type === 'error' && last.error.message).toBe('Overloaded');
  });

  it('turns malformed JSON into an error part instead of throwing', async () => {
    const parts = await streamOf([messageStart, 'event: content_block_start\ndata: {"type":"content_block_start",\n\n']);
    expect(parts.map((p) => p.type)).toEqual(['response-metadata', 'error']);
    const last = parts.at(-1);
    expect(last?.type === 'error' && last.error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
  });

  it('reports a stream that ends without message_stop', async () => {
    const parts = await streamOf([messageStart, sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } })]);
    const last = parts.at(-1);
    expect(last?.type === 'error' && last.error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
    expect(parts.some((p) => p.type === 'finish')).toBe(false);
  });

  it('handles events split across chunks at any byte', async () => {
    const whole = [
      messageStart,
      sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'héllo wörld' } }),
      sse({ type: 'content_block_stop', index: 0 }),
      sse({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }),
      sse({ type: 'message_stop' }),
    ].join('');
    const bytes = new TextEncoder().encode(whole);
    const pieces: Uint8Array[] = [];
    // 7-byte chunks split the multi-byte characters and the event framing.
    for (let i = 0; i < bytes.length; i += 7) pieces.push(bytes.slice(i, i + 7));
    const parts = await streamOf(pieces);
    expect(parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('')).toBe('héllo wörld');
    expect(parts.at(-1)?.type).toBe('finish');
  });

  it('maps a non-JSON error body by its status', async () => {
    const { http } = cannedHttp(502, ['<html>Bad Gateway</html>']);
    const error = await caught(createAnthropicAdapter({ providerId: 'anthropic', http, apiKey: 'k' }).generate(hello, signal()));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.upstreamStatus).toBe(502);
  });

  it('turns an unreachable upstream into UPSTREAM_ERROR and an aborted one into CANCELLED', async () => {
    const failing: HttpClient = {
      request: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:443');
      },
      close: async () => undefined,
    };
    const adapter = createAnthropicAdapter({ providerId: 'anthropic', http: failing, apiKey: 'k' });
    const error = await caught(adapter.generate(hello, signal()));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).not.toContain('10.0.0.1');
    const controller = new AbortController();
    controller.abort();
    expect((await caught(collect(adapter.stream(hello, controller.signal)))).code).toBe('CANCELLED');
  });
});

describe('mapAnthropicStopReason', () => {
  itMapsFinishReasons('maps %s to %s, keeping the raw value', mapAnthropicStopReason, [
    ...messagesAndConverseStopReasons,
    ['refusal', 'CONTENT_FILTER'],
    ['pause_turn', 'OTHER'],
    ['something_new', 'OTHER'],
  ], { title: 'maps a missing stop reason to OTHER with raw null', raw: null });
});
