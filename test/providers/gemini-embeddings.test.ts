import { describe, expect, it } from 'vitest';
import { createGeminiEmbeddingAdapter } from '../../src/providers/gemini/gemini-embeddings.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { runEmbeddingAdapterCases } from '../helpers/embedding-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { cannedHttp, signal } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { geminiSimulatedDimensions } from './gemini-embeddings-simulator.ts';
import { startGeminiSimulator } from './gemini-simulator.ts';

const taskTypeOf = (body: unknown): unknown => {
  const record = body as { taskType?: unknown; requests?: Array<{ taskType?: unknown }> };
  return record.requests ? record.requests[0]?.taskType : record.taskType;
};

runEmbeddingAdapterCases({
  name: 'gemini',
  startSimulator: startGeminiSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createGeminiEmbeddingAdapter({ providerId: 'gemini', baseUrl, http, apiKey }),
  model: 'gemini-embedding-001',
  defaultDimensions: geminiSimulatedDimensions,
  dimensions: 768,
  inputTypes: {
    read: (request) => taskTypeOf(request.body),
    expected: { QUERY: 'RETRIEVAL_QUERY', DOCUMENT: 'RETRIEVAL_DOCUMENT', CLASSIFICATION: 'CLASSIFICATION', CLUSTERING: 'CLUSTERING' },
  },
  reportsUsage: false,
});

describe('gemini embedding adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;
  const adapter = () => createGeminiEmbeddingAdapter({ providerId: 'gemini', baseUrl: simulator.baseUrl, http, apiKey: 'g-key' });

  useSimulatorAndClient(startGeminiSimulator, (started) => ({ simulator, http } = started));

  it('sends one input to :embedContent, without a model in the body', async () => {
    await adapter().embed({ model: 'gemini-embedding-001', input: ['hello'], dimensions: 128, inputType: 'DOCUMENT' }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1beta/models/gemini-embedding-001:embedContent');
    expect(recorded.headers['x-goog-api-key']).toBe('g-key');
    expect(recorded.body).toEqual({ content: { parts: [{ text: 'hello' }] }, taskType: 'RETRIEVAL_DOCUMENT', outputDimensionality: 128 });
  });

  it('sends several inputs to :batchEmbedContents, each request naming the model', async () => {
    await adapter().embed({ model: 'gemini-embedding-001', input: ['a', 'b'] }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(recorded.body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] } },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] } },
      ],
    });
  });

  it("reads Vertex AI's usageMetadata when an answer carries it", async () => {
    const canned = cannedHttp(200, [JSON.stringify({ embedding: { values: [0.5] }, usageMetadata: { promptTokenCount: 9 } })]);
    const result = await createGeminiEmbeddingAdapter({ providerId: 'g', baseUrl: 'http://upstream.test/v1beta', http: canned.http }).embed({ model: 'm', input: ['x'] }, signal());
    expect(result.usage).toEqual({ inputTokens: 9 });
  });
});
