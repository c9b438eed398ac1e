import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIEmbeddingAdapter } from '../../src/providers/openai/openai-embeddings.ts';
import { createEmbeddingAdapter } from '../../src/providers/registry.ts';
import { createUndiciHttpClient, type HttpClient } from '../../src/providers/shared/http-client.ts';
import { runEmbeddingAdapterCases } from '../helpers/embedding-conformance.ts';
import { caught, cannedHttp, signal } from '../helpers/provider-test-kit.ts';
import { simulatedVector } from '../helpers/simulated-embeddings.ts';
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
});

describe('openai embedding adapter against the simulator', () => {
  let simulator: UpstreamSimulator;
  let http: HttpClient;

  beforeAll(async () => {
    simulator = await startOpenAISimulator();
    http = createUndiciHttpClient();
    simulator.setScenario({ kind: 'text', chunks: ['unused'], usage: { input: 1, output: 1 } });
  });
  afterAll(async () => {
    await http.close();
    await simulator.close();
  });

  it('posts {model, input, encoding_format: float, dimensions, user} to /embeddings with a bearer key', async () => {
    const adapter = createOpenAIEmbeddingAdapter({ providerId: 'openai', baseUrl: simulator.baseUrl, http, apiKey: 'sk-test', headers: { 'openai-organization': 'org-1' } });
    await adapter.embed({ model: 'text-embedding-3-large', input: ['a', 'b'], dimensions: 64, inputType: 'QUERY', user: 'end-user-7' }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1/embeddings');
    expect(recorded.headers.authorization).toBe('Bearer sk-test');
    expect(recorded.headers['openai-organization']).toBe('org-1');
    expect(recorded.body).toEqual({ model: 'text-embedding-3-large', input: ['a', 'b'], encoding_format: 'float', dimensions: 64, user: 'end-user-7' });
  });

  it("uses Azure's deployment path, api-version and api-key header", async () => {
    const adapter = createEmbeddingAdapter({ id: 'my-azure', kind: 'azure-openai', baseUrl: `${simulator.baseUrl}/`, apiKey: 'azure-key', apiVersion: '2024-10-21' }, http)!;
    const result = await adapter.embed({ model: 'embeddings-small', input: ['hello'] }, signal());
    const recorded = simulator.requests.at(-1)!;
    expect(recorded.url).toBe('/v1/deployments/embeddings-small/embeddings?api-version=2024-10-21');
    expect(recorded.headers['api-key']).toBe('azure-key');
    expect(recorded.headers.authorization).toBeUndefined();
    expect(result.vectors).toEqual([simulatedVector('hello', openAISimulatedDimensions)]);
  });

  it('registers embeddings for compatible providers that serve them, and none for others', () => {
    expect(createEmbeddingAdapter({ id: 'mistral', kind: 'mistral', apiKey: 'k' }, http)).toBeDefined();
    expect(createEmbeddingAdapter({ id: 'groq', kind: 'groq', apiKey: 'k' }, http)).toBeUndefined();
    expect(createEmbeddingAdapter({ id: 'anthropic', kind: 'anthropic', apiKey: 'k' }, http)).toBeUndefined();
  });
});

describe('openai embeddings response mapping', () => {
  const adapter = (status: number, body: unknown) => {
    const canned = cannedHttp(status, [JSON.stringify(body)]);
    return createOpenAIEmbeddingAdapter({ providerId: 'local', baseUrl: 'http://upstream.test/v1', http: canned.http, compatibleProvider: 'vllm' });
  };

  it('treats a missing or zero prompt_tokens as unreported (local servers)', async () => {
    const body = { data: [{ index: 0, embedding: [0.5, 0.25] }], usage: { prompt_tokens: 0, total_tokens: 0 } };
    expect((await adapter(200, body).embed({ model: 'm', input: ['x'] }, signal())).usage).toBeNull();
    expect((await adapter(200, { data: body.data }).embed({ model: 'm', input: ['x'] }, signal())).usage).toBeNull();
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
