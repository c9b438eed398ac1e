import { describe, expect, it } from 'vitest';
import { createBedrockEmbeddingAdapter } from '../../src/providers/bedrock/bedrock-embeddings.ts';
import { createEmbeddingAdapter } from '../../src/providers/registry.ts';
import type { HttpClient } from '../../src/core/ports.ts';
import { runEmbeddingAdapterCases, type EmbeddingCaseOptions } from '../helpers/embedding-conformance.ts';
import { useSimulatorAndClient } from '../helpers/provider-simulator-setup.ts';
import { caught, signal } from '../helpers/provider-test-kit.ts';
import { simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import { bedrockCohereSimulatedDimensions, titanSimulatedDimensions } from './bedrock-embeddings-simulator.ts';
import { simulatedAccessKeyId, startBedrockSimulator, type BedrockSimulator } from './bedrock-simulator.ts';

const titan = 'amazon.titan-embed-text-v2:0';
const cohere = 'cohere.embed-v4:0';
const signed = (baseUrl: string, http: HttpClient, apiKey: string) =>
  createBedrockEmbeddingAdapter({ providerId: 'bedrock', baseUrl, http, region: 'us-east-1', credentials: { accessKeyId: simulatedAccessKeyId, secretAccessKey: apiKey } });

/** The conformance cases for one model family on the Bedrock simulator, signed with SigV4. */
const runBedrockCases = (options: Omit<EmbeddingCaseOptions, 'startSimulator' | 'createAdapter'>) =>
  runEmbeddingAdapterCases({ startSimulator: () => startBedrockSimulator(), createAdapter: ({ baseUrl, http, apiKey }) => signed(baseUrl, http, apiKey), ...options });

runBedrockCases({ name: 'bedrock titan', model: titan, defaultDimensions: titanSimulatedDimensions, dimensions: 256 });

runBedrockCases({
  name: 'bedrock cohere',
  model: cohere,
  defaultDimensions: bedrockCohereSimulatedDimensions,
  dimensions: 512,
  inputTypes: {
    read: (request) => (request.body as { input_type?: unknown }).input_type,
    expected: { QUERY: 'search_query', DOCUMENT: 'search_document', CLASSIFICATION: 'classification', CLUSTERING: 'clustering' },
  },
});

describe('bedrock embedding adapter against the simulator', () => {
  let simulator: BedrockSimulator;
  let http: HttpClient;
  const adapter = () => signed(simulator.baseUrl, http, 'sk-test-key');

  useSimulatorAndClient(() => startBedrockSimulator({ apiKeys: ['bedrock-api-key'] }), (started) => ({ simulator, http } = started));

  it('sends Titan one SigV4-signed InvokeModel call per input, concurrently, and sums the counts', async () => {
    const before = simulator.requests.length;
    const input = ['first text', 'second', 'the third text here'];
    const result = await adapter().embed({ model: titan, input, dimensions: 512 }, signal());
    const calls = simulator.requests.slice(before);
    expect(calls.map((call) => call.url)).toEqual(Array(3).fill('/model/amazon.titan-embed-text-v2%3A0/invoke'));
    expect(calls.map((call) => call.body)).toEqual(expect.arrayContaining(input.map((inputText) => ({ inputText, dimensions: 512, normalize: true }))));
    expect(String(calls[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIASIMULATED000001\/\d{8}\/us-east-1\/bedrock\/aws4_request/);
    expect(result.vectors).toEqual(input.map((text) => simulatedVector(text, 512)));
    expect(result.usage).toEqual({ inputTokens: simulatedTokenTotal(input) });
  });

  it('sends Titan G1 the input text alone', async () => {
    await adapter().embed({ model: 'amazon.titan-embed-text-v1', input: ['only text'] }, signal());
    expect(simulator.requests.at(-1)!.body).toEqual({ inputText: 'only text' });
  });

  it('sends Cohere Embed its texts in one call and reads the token count from the response header', async () => {
    const before = simulator.requests.length;
    const input = ['a b c', 'd e'];
    const result = await adapter().embed({ model: cohere, input, inputType: 'QUERY' }, signal());
    expect(simulator.requests.length - before).toBe(1);
    expect(simulator.requests.at(-1)!.body).toEqual({ texts: input, input_type: 'search_query', embedding_types: ['float'] });
    expect(result.usage).toEqual({ inputTokens: simulatedTokenTotal(input) });
  });

  it('authorises with a Bedrock API key when no IAM credentials are configured', async () => {
    const keyed = createEmbeddingAdapter({ id: 'bedrock', kind: 'bedrock', baseUrl: simulator.baseUrl, region: 'us-east-1', apiKey: 'bedrock-api-key' }, http)!;
    const result = await keyed.embed({ model: cohere, input: ['hi'] }, signal());
    expect(simulator.requests.at(-1)!.headers.authorization).toBe('Bearer bedrock-api-key');
    expect(result.vectors).toEqual([simulatedVector('hi', bedrockCohereSimulatedDimensions)]);
  });

  it('refuses a model that is not an embedding model before calling', async () => {
    const before = simulator.requests.length;
    const error = await caught(adapter().embed({ model: 'anthropic.claude-3-haiku-20240307-v1:0', input: ['x'] }, signal()));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(simulator.requests.length).toBe(before);
  });
});
