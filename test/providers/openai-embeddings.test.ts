import { describe, expect, it } from 'vitest';
import { createOpenAIEmbeddingAdapter } from '../../src/providers/openai/openai-embeddings.ts';
import { createEmbeddingAdapter } from '../../src/providers/registry.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { runEmbeddingAdapterCases } from '../helpers/embedding-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { caught, cannedHttp, signal } from '../helpers/provider-test-kit.ts';
import { simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import type { UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { openAISimulatedDimensions } from './openai-embeddings-simulator.ts';
import { startOpenAISimulator } from './openai-simulator.ts';

runEmbeddingAdapterCases({
  name: 'openai',
  startSimulator: startOpenAISimulator,
  createAdapter: ({ baseUrl, http, apiKey }) => createOpenAIEmbeddingAdapter({ providerId: 'openai', baseUrl, http, apiKey }),
  model: 'text-embedding-3-small',
  defaultDimensions: openAISimulatedDimensions,
  dimensions: 256,
  reportsModel: true,
});

describe('openai embedding adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;

  useSimulatorAndClient(startOpenAISimulator, (started) => ({ simulator, http } = started));

  it('posts {model, input, encoding_format: float, dimensions, user} to /embeddings with a bearer key', async () => {
    const adapter = createOpenAIEmbeddingAdapter({ providerId: 'openai', baseUrl: simulator.baseUrl, http, apiKey: 'sk-test', headers: { 'openai-organization': 'org-1' } });
    const result = await adapter.embed({ model: 'text-embedding-3-large', input: ['a', 'b'], dimensions: 64, inputType: 'QUERY', user: 'end-user-7' }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1/embeddings');
    expect(recorded.headers.authorization).toBe('Bearer sk-test');
    expect(recorded.headers['openai-organization']).toBe('org-1');
    expect(recorded.body).toEqual({ model: 'text-embedding-3-large', input: ['a', 'b'], encoding_format: 'float', dimensions: 64, user: 'end-user-7' });
    // The simulator answers in reverse order; `index` puts each vector back with its input.
    expect(result).toEqual({
      vectors: [simulatedVector('a', 64), simulatedVector('b', 64)],
      usage: { inputTokens: simulatedTokenTotal(['a', 'b']) },
      model: 'text-embedding-3-large',
    });
  });

  it("uses Azure's deployment path, api-version and api-key header", async () => {
    const adapter = createEmbeddingAdapter({ id: 'my-azure', kind: 'azure-openai', baseUrl: `${simulator.baseUrl}/`, apiKey: 'azure-key', apiVersion: '2024-10-21' }, http)!;
    const result = await adapter.embed({ model: 'embeddings-small', input: ['hello'] }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1/deployments/embeddings-small/embeddings?api-version=2024-10-21');
    expect(recorded.headers['api-key']).toBe('azure-key');
    expect(recorded.headers.authorization).toBeUndefined();
    expect(result).toEqual({ vectors: [simulatedVector('hello', openAISimulatedDimensions)], usage: { inputTokens: simulatedTokenTotal(['hello']) }, model: 'embeddings-small' });
  });

  it('embeds through a compatible provider that serves embeddings, with its quirks (Mistral takes no user)', async () => {
    const mistral = createEmbeddingAdapter({ id: 'mistral', kind: 'mistral', baseUrl: simulator.baseUrl, apiKey: 'mistral-key' }, http)!;
    const result = await mistral.embed({ model: 'mistral-embed', input: ['bonjour', 'le monde'], user: 'end-user-7' }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1/embeddings');
    expect(recorded.headers.authorization).toBe('Bearer mistral-key');
    expect(recorded.body).toEqual({ model: 'mistral-embed', input: ['bonjour', 'le monde'], encoding_format: 'float' });
    expect(result).toEqual({
      vectors: [simulatedVector('bonjour', openAISimulatedDimensions), simulatedVector('le monde', openAISimulatedDimensions)],
      usage: { inputTokens: simulatedTokenTotal(['bonjour', 'le monde']) },
      model: 'mistral-embed',
    });
  });

  it('registers no embeddings for providers that serve none', () => {
    expect(createEmbeddingAdapter({ id: 'groq', kind: 'groq', apiKey: 'k' }, http)).toBeUndefined();
    expect(createEmbeddingAdapter({ id: 'anthropic', kind: 'anthropic', apiKey: 'k' }, http)).toBeUndefined();
  });

  it('keeps the upstream error message and status on a refusal', async () => {
    simulator.setScenario({ kind: 'error', status: 400, message: "'$.input' is invalid." });
    const adapter = createOpenAIEmbeddingAdapter({ providerId: 'my-openai', baseUrl: simulator.baseUrl, http, apiKey: 'sk-test' });
    const error = await caught(adapter.embed({ model: 'text-embedding-3-small', input: ['x'] }, signal()));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', provider: 'my-openai', upstreamStatus: 400 });
    expect(error.message).toContain("'$.input' is invalid.");
  });
});

describe('openai embeddings response mapping', () => {
  const adapter = (status: number, body: unknown) => {
    const canned = cannedHttp(status, [JSON.stringify(body)]);
    return createOpenAIEmbeddingAdapter({ providerId: 'local', baseUrl: 'http://upstream.test/v1', http: canned.http, compatibleProvider: 'vllm' });
  };

  it('treats a missing or zero prompt_tokens as unreported (local servers), and a missing model as null', async () => {
    const body = { data: [{ index: 0, embedding: [0.5, 0.25] }], usage: { prompt_tokens: 0, total_tokens: 0 } };
    expect(await adapter(200, body).embed({ model: 'm', input: ['x'] }, signal())).toEqual({ vectors: [[0.5, 0.25]], usage: null, model: null });
    expect(await adapter(200, { data: body.data }).embed({ model: 'm', input: ['x'] }, signal())).toEqual({ vectors: [[0.5, 0.25]], usage: null, model: null });
  });

  it('orders vectors by their index, and keeps the answer order when the server sends no index', async () => {
    const indexed = { data: [{ index: 1, embedding: [2] }, { index: 0, embedding: [1] }], model: 'm-v2', usage: { prompt_tokens: 4, total_tokens: 4 } };
    expect(await adapter(200, indexed).embed({ model: 'm', input: ['x', 'y'] }, signal())).toEqual({ vectors: [[1], [2]], usage: { inputTokens: 4 }, model: 'm-v2' });
    const unindexed = { data: [{ embedding: [1] }, { embedding: [2] }] };
    expect((await adapter(200, unindexed).embed({ model: 'm', input: ['x', 'y'] }, signal())).vectors).toEqual([[1], [2]]);
  });

  it('refuses an answer with fewer vectors than inputs as UPSTREAM_PROTOCOL_ERROR', async () => {
    const error = await caught(adapter(200, { data: [{ index: 0, embedding: [1] }] }).embed({ model: 'm', input: ['x', 'y'] }, signal()));
    expect(error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
  });

  it('refuses a vector that is not numbers', async () => {
    const error = await caught(adapter(200, { data: [{ index: 0, embedding: 'AAAA' }] }).embed({ model: 'm', input: ['x'] }, signal()));
    expect(error.code).toBe('UPSTREAM_PROTOCOL_ERROR');
  });
});
