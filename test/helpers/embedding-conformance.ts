// One conformance suite for every embeddings adapter: each provider's test file calls it in a few
// lines with its simulator and adds its own quirks.
import { describe, expect, it } from 'vitest';
import { EMBEDDING_INPUT_TYPES, type EmbeddingAdapter, type EmbeddingInputType } from '../../src/core/embeddings.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { useSimulatorAndClient } from './provider-simulator-setup.ts';
import { caught, signal } from './provider-test-kit.ts';
import { closeCausedBy, waitForRequestCount } from './simulator-server.ts';
import { simulatedTokenTotal, simulatedVector } from './simulated-embeddings.ts';
import type { RecordedRequest, Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export interface EmbeddingCaseOptions {
  name: string;
  startSimulator(): Promise<UpstreamSimulator>;
  createAdapter(options: { baseUrl: string; http: HttpClient; apiKey: string }): EmbeddingAdapter;
  /** The upstream model id used in requests. */
  model: string;
  /** The vector length the upstream answers with when no dimensions are asked for. */
  defaultDimensions: number;
  /** A shorter length the model accepts. */
  dimensions: number;
  /** How the protocol sends each input type, read back from the recorded request; absent when it has no task types. */
  inputTypes?: { read(request: RecordedRequest): unknown; expected: Record<EmbeddingInputType, string> };
  /** Whether the upstream reports token counts (default true); without them the result's usage is null. */
  reportsUsage?: boolean;
  /** Whether the upstream names the model in its answer (default false); without it the result's model is null. */
  reportsModel?: boolean;
}

const texts = ['The quick brown fox', 'jumps over', 'the lazy dog, twice over and over again'];

export function runEmbeddingAdapterCases(options: EmbeddingCaseOptions): void {
  describe(`${options.name} embedding adapter conformance`, () => {
    let simulator: UpstreamSimulator;
    let http: HttpClient;
    let adapter: EmbeddingAdapter;
    const { model } = options;

    // Each case starts from a text scenario, which the embeddings routes answer with vectors.
    useSimulatorAndClient(options.startSimulator, (started) => {
      ({ simulator, http } = started);
      adapter = options.createAdapter({ baseUrl: simulator.baseUrl, http, apiKey: 'sk-test-key' });
    });

    it('returns one vector per input, in input order, with the usage and model the upstream reported', async () => {
      const result = await adapter.embed({ model, input: texts }, signal());
      expect(result).toEqual({
        vectors: texts.map((text) => simulatedVector(text, options.defaultDimensions)),
        usage: options.reportsUsage === false ? null : { inputTokens: simulatedTokenTotal(texts) },
        model: options.reportsModel === true ? model : null,
      });
    });

    it('embeds a single input', async () => {
      const result = await adapter.embed({ model, input: ['just one'] }, signal());
      expect(result.vectors).toEqual([simulatedVector('just one', options.defaultDimensions)]);
    });

    it('passes the requested dimensions', async () => {
      const result = await adapter.embed({ model, input: texts, dimensions: options.dimensions }, signal());
      expect(result.vectors).toEqual(texts.map((text) => simulatedVector(text, options.dimensions)));
    });

    if (options.inputTypes) {
      const { read, expected } = options.inputTypes;
      it.each(EMBEDDING_INPUT_TYPES)('maps the %s input type', async (inputType) => {
          await adapter.embed({ model, input: texts.slice(0, 2), inputType }, signal());
        expect(read(simulator.requests.at(-1)!)).toBe(expected[inputType]);
      });
    }

    it(options.reportsUsage === false ? 'reports no usage (the upstream counts none)' : 'reports the upstream token count', async () => {
      const result = await adapter.embed({ model, input: texts }, signal());
      expect(result.usage).toEqual(options.reportsUsage === false ? null : { inputTokens: simulatedTokenTotal(texts) });
    });

    const errorCases: Array<[string, Scenario, string]> = [
      ['401', { kind: 'error', status: 401, message: 'Invalid API key provided' }, 'UPSTREAM_AUTHENTICATION'],
      ['429', { kind: 'error', status: 429, message: 'Rate limit reached', retryAfterSeconds: 7 }, 'RATE_LIMITED'],
      ['500', { kind: 'error', status: 500, message: 'The server had an error' }, 'UPSTREAM_ERROR'],
    ];
    for (const [label, scenario, code] of errorCases) {
      it(`maps a ${label} error to ${code}, keeping the provider's message`, async () => {
        simulator.setScenario(scenario);
        const error = await caught(adapter.embed({ model, input: texts }, signal()));
        expect(error.code).toBe(code);
        expect(error.message).toContain((scenario as { message: string }).message);
        if (label === '429') expect(error.retryAfterMs).toBe(7000);
      });
    }

    it('closes the upstream connection and ends CANCELLED when the caller aborts', async () => {
      simulator.setScenario({ kind: 'hang' });
      const controller = new AbortController();
      const before = simulator.requests.length;
      const embedding = caught(adapter.embed({ model, input: ['wait for me'] }, controller.signal));
      await waitForRequestCount(simulator, before + 1);
      const close = await closeCausedBy(simulator, () => controller.abort());
      expect(close.request).toBe(simulator.requests.at(-1));
      expect((await embedding).code).toBe('CANCELLED');
    });
  });
}
