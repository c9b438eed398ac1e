import { describe, expect, it } from 'vitest';
import { createCohereEmbeddingAdapter } from '../../src/providers/cohere/cohere-embeddings.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { runEmbeddingAdapterCases } from '../helpers/embedding-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { cannedHttp, signal } from '../helpers/provider-test-kit.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { cohereSimulatedDimensions } from './cohere-embeddings-simulator.ts';
import { startCohereSimulator } from './cohere-simulator.ts';

const cohereInputTypes = { QUERY: 'search_query', DOCUMENT: 'search_document', CLASSIFICATION: 'classification', CLUSTERING: 'clustering' } as const;

runEmbeddingAdapterCases({
  name: 'cohere',
  startSimulator: startCohereSimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createCohereEmbeddingAdapter({ providerId: 'cohere', baseUrl, http, apiKey }),
  model: 'embed-v4.0',
  defaultDimensions: cohereSimulatedDimensions,
  dimensions: 256,
  inputTypes: { read: (request) => (request.body as { input_type?: unknown }).input_type, expected: cohereInputTypes },
});

describe('cohere embedding adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;

  useSimulatorAndClient(startCohereSimulator, (started) => ({ simulator, http } = started));

  it('posts {model, texts, input_type, embedding_types, output_dimension} to /v2/embed, as documents by default', async () => {
    await createCohereEmbeddingAdapter({ providerId: 'cohere', baseUrl: simulator.baseUrl, http, apiKey: 'co-key' }).embed({ model: 'embed-v4.0', input: ['a', 'b'], dimensions: 512 }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v2/embed');
    expect(recorded.headers.authorization).toBe('Bearer co-key');
    expect(recorded.body).toEqual({ model: 'embed-v4.0', texts: ['a', 'b'], input_type: 'search_document', embedding_types: ['float'], output_dimension: 512 });
  });

  it('reads an older answer whose embeddings are a plain list', async () => {
    const canned = cannedHttp(200, [JSON.stringify({ embeddings: [[0.5, 0.25]], meta: { billed_units: { input_tokens: 3 } } })]);
    const result = await createCohereEmbeddingAdapter({ providerId: 'cohere', http: canned.http, apiKey: 'k' }).embed({ model: 'embed-english-v3.0', input: ['x'] }, signal());
    expect(result).toEqual({ vectors: [[0.5, 0.25]], usage: { inputTokens: 3 }, model: null });
    expect(canned.requests[0]!.url).toBe('https://api.cohere.com/v2/embed');
  });
});
