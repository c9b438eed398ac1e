// One conformance suite for every adapter: each provider's test file calls it in a few lines
// with its simulator and adds its own quirks.
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter, HttpClient } from '../../src/core/ports.ts';
import type { ChatRequest, StreamPart } from '../../src/core/types.ts';
import { useSimulatorAndClient } from './provider-simulator-setup.ts';
import { caught, signal } from './provider-test-kit.ts';
import { closeCausedBy } from './simulator-server.ts';
import type { Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export interface AdapterCaseOptions {
  name: string;
  startSimulator(): Promise<UpstreamSimulator>;
  createAdapter(options: { baseUrl: string; http: HttpClient; apiKey: string }): ProviderAdapter;
  /** The upstream model id used in requests. */
  model?: string;
  /** Whether the protocol reports reasoning text (default true). */
  supportsReasoning?: boolean;
  /**
   * Whether the protocol streams a call's arguments in pieces (default true). Gemini sends each
   * function call whole, so its adapter emits one tool-call-delta per call.
   */
  toolArgumentsStreamed?: boolean;
  /**
   * Whether cached prompt tokens are billed at a cache-read price (default true). Cohere bills
   * `billed_units`, which carry no cache line, so its cached count is no billing fact.
   */
  billsCacheReads?: boolean;
}

export async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

export function runAdapterCases(options: AdapterCaseOptions): void {
  describe(`${options.name} adapter conformance`, () => {
    let simulator: UpstreamSimulator;
    let http: HttpClient;
    let adapter: ProviderAdapter;
    const model = options.model ?? 'test-model';
    const request = (extra: Partial<ChatRequest> = {}): ChatRequest => ({
      model,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: [{ type: 'text', text: 'Say hello' }] },
      ],
      maxOutputTokens: 256,
      ...extra,
    });

    useSimulatorAndClient(options.startSimulator, (started) => {
      ({ simulator, http } = started);
      adapter = options.createAdapter({ baseUrl: simulator.baseUrl, http, apiKey: 'sk-test-key' });
    });

    const cachedInputTokens = options.billsCacheReads === false ? 0 : 5;
    const textScenario: Scenario = {
      kind: 'text',
      chunks: ['Hel', 'lo, ', 'wörld', '!'],
      usage: { input: 21, output: 4, cachedInput: 5 },
    };

    it('generates text with normalised usage and a STOP finish', async () => {
      simulator.setScenario(textScenario);
      const result = await adapter.generate(request(), signal());
      expect(result.text).toBe('Hello, wörld!');
      expect(result.toolCalls).toEqual([]);
      expect(result.finishReason.unified).toBe('STOP');
      expect(result.finishReason.raw).not.toBeNull();
      expect(result.usage).toMatchObject({ inputTokens: 21, outputTokens: 4, cachedInputTokens });
    });

    it('streams text deltas in order, then usage and finish', async () => {
      simulator.setScenario(textScenario);
      const parts = await collect(adapter.stream(request(), signal()));
      const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
      expect(text).toBe('Hello, wörld!');
      const usage = parts.filter((p) => p.type === 'usage').at(-1);
      expect(usage).toMatchObject({ usage: { inputTokens: 21, outputTokens: 4, cachedInputTokens } });
      const finish = parts.find((p) => p.type === 'finish');
      expect(finish).toMatchObject({ finishReason: { unified: 'STOP' } });
      expect(parts.some((p) => p.type === 'error')).toBe(false);
    });

    it('maps a length finish', async () => {
      simulator.setScenario({ kind: 'text', chunks: ['cut short'], usage: { input: 3, output: 2 }, finish: 'length' });
      const result = await adapter.generate(request(), signal());
      expect(result.finishReason.unified).toBe('LENGTH');
    });

    const toolScenario: Scenario = {
      kind: 'tool-calls',
      calls: [
        { id: 'call_a1', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
        { id: 'call_b2', name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
      ],
      argumentPieces: 3,
      usage: { input: 50, output: 30 },
    };

    it('returns parallel tool calls with their arguments', async () => {
      simulator.setScenario(toolScenario);
      const result = await adapter.generate(
        request({
          tools: [
            { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
            { name: 'get_time', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } },
          ],
        }),
        signal(),
      );
      expect(result.finishReason.unified).toBe('TOOL_CALLS');
      expect(result.toolCalls.map((c) => c.name)).toEqual(['get_weather', 'get_time']);
      expect(result.toolCalls.map((c) => JSON.parse(c.arguments))).toEqual([
        { city: 'Paris', unit: 'celsius' },
        { timezone: 'Europe/Paris' },
      ]);
      expect(result.toolCalls.every((c) => c.id.length > 0)).toBe(true);
    });

    it('streams tool-call argument deltas split across chunks with stable indexes', async () => {
      simulator.setScenario(toolScenario);
      const parts = await collect(adapter.stream(request(), signal()));
      const starts = parts.filter((p) => p.type === 'tool-call-start');
      expect(starts.map((p) => (p.type === 'tool-call-start' ? p.name : ''))).toEqual(['get_weather', 'get_time']);
      const indexes = starts.map((p) => (p.type === 'tool-call-start' ? p.index : -1));
      expect(new Set(indexes).size).toBe(2);
      for (const [position, index] of indexes.entries()) {
        const deltas = parts.filter((p) => p.type === 'tool-call-delta' && p.index === index);
        expect(deltas.length).toBeGreaterThanOrEqual(options.toolArgumentsStreamed === false ? 1 : 2);
        const joined = deltas.map((p) => (p.type === 'tool-call-delta' ? p.argumentsDelta : '')).join('');
        expect(JSON.parse(joined)).toEqual(JSON.parse(toolScenario.calls[position]!.arguments));
        expect(parts.some((p) => p.type === 'tool-call-end' && p.index === index)).toBe(true);
      }
      expect(parts.find((p) => p.type === 'finish')).toMatchObject({ finishReason: { unified: 'TOOL_CALLS' } });
      expect(parts.filter((p) => p.type === 'usage').at(-1)).toMatchObject({ usage: { inputTokens: 50, outputTokens: 30 } });
    });

    if (options.supportsReasoning !== false) {
      it('reports reasoning separately from the answer', async () => {
        simulator.setScenario({
          kind: 'text',
          reasoningChunks: ['Think', 'ing...'],
          chunks: ['42'],
          usage: { input: 10, output: 20, reasoning: 12 },
        });
        const result = await adapter.generate(request({ reasoning: { effort: 'low', budgetTokens: 1024 } }), signal());
        expect(result.text).toBe('42');
        expect(result.reasoning).toBe('Thinking...');
        expect(result.usage).toMatchObject({ outputTokens: 20, reasoningTokens: 12 });
        const parts = await collect(adapter.stream(request({ reasoning: { effort: 'low', budgetTokens: 1024 } }), signal()));
        const reasoning = parts.flatMap((p) => (p.type === 'reasoning-delta' ? [p.text] : [])).join('');
        expect(reasoning).toBe('Thinking...');
      });
    }

    const errorCases: Array<[string, Scenario, string]> = [
      ['401', { kind: 'error', status: 401, message: 'Invalid API key provided' }, 'UPSTREAM_AUTHENTICATION'],
      ['404 model', { kind: 'error', status: 404, message: 'The model does not exist' }, 'MODEL_NOT_FOUND'],
      ['429', { kind: 'error', status: 429, message: 'Rate limit reached', retryAfterSeconds: 7 }, 'RATE_LIMITED'],
      ['context length', { kind: 'error', status: 400, message: 'prompt is too long: 300000 tokens > 200000 maximum', contextLength: true }, 'CONTEXT_LENGTH_EXCEEDED'],
      ['400', { kind: 'error', status: 400, message: 'temperature must be at most 2' }, 'INVALID_REQUEST'],
      ['500', { kind: 'error', status: 500, message: 'The server had an error' }, 'UPSTREAM_ERROR'],
    ];
    for (const [label, scenario, code] of errorCases) {
      it(`maps a ${label} error to ${code}, keeping the provider's message`, async () => {
        simulator.setScenario(scenario);
        const error = await caught(adapter.generate(request(), signal()));
        expect(error.code).toBe(code);
        expect(error.message).toContain((scenario as { message: string }).message);
        if (label === '429') expect(error.retryAfterMs).toBe(7000);
        const streamError = await caught(collect(adapter.stream(request(), signal())));
        expect(streamError.code).toBe(code);
      });
    }

    it('ends a stream cut mid-way with an UPSTREAM_PROTOCOL_ERROR part after the text it got', async () => {
      simulator.setScenario({ kind: 'cut', chunks: ['partial ', 'answer'] });
      const parts = await collect(adapter.stream(request(), signal()));
      const text = parts.flatMap((p) => (p.type === 'text-delta' ? [p.text] : [])).join('');
      expect(text).toBe('partial answer');
      const last = parts.at(-1);
      expect(last?.type).toBe('error');
      expect(last?.type === 'error' && last.error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
    });

    it('closes the upstream connection when the caller aborts', async () => {
      simulator.setScenario({ kind: 'hang', chunks: ['first'] });
      const controller = new AbortController();
      let sawText!: () => void;
      const textSeen = new Promise<void>((resolve) => (sawText = resolve));
      const seen: StreamPart[] = [];
      const consuming = (async () => {
        for await (const part of adapter.stream(request(), controller.signal)) {
          seen.push(part);
          if (part.type === 'text-delta') sawText();
        }
      })().catch((error: unknown) => error);
      await textSeen;
      // The consumer is still reading and the upstream never ends: only the abort can close it.
      const close = await closeCausedBy(simulator, () => controller.abort());
      expect(close.request).toBe(simulator.requests.at(-1));
      // The stream then ends, quietly or CANCELLED, never with another error.
      const thrown = await consuming;
      const errors = [...(thrown === undefined ? [] : [thrown]), ...seen.flatMap((p) => (p.type === 'error' ? [p.error] : []))];
      for (const error of errors) expect(error).toMatchObject({ code: 'CANCELLED' });
    });
  });
}
