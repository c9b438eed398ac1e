// POST /v1/embeddings driven by the official `openai` SDK, unchanged apart from base URL and key,
// against a started app whose upstreams are the OpenAI, Gemini, Cohere and Bedrock simulators.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estimateEmbeddingTokens } from '../../src/core/embeddings.ts';
import { EMBEDDING_PROTOCOLS, embeddingModels, FALLBACK_MODEL, startEmbeddingTestApp, success, type EmbeddingTestContext } from '../helpers/embedding-test-app.ts';
import { simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import { abortWhileUpstreamHangs } from '../helpers/simulator-server.ts';

let context: EmbeddingTestContext;
let client: OpenAI;

beforeAll(async () => {
  context = await startEmbeddingTestApp();
  const { secret } = await context.app.createKey({ name: 'rest embeddings', scopes: ['INFERENCE'] });
  client = new OpenAI({ baseURL: `${context.app.url}/v1`, apiKey: secret, maxRetries: 0 });
});
afterAll(async () => {
  await context?.stop();
});
beforeEach(() => context.succeed());

const texts = ['hello world', 'embeddings are vectors'];

describe('POST /v1/embeddings with the openai SDK', () => {
  it.each(EMBEDDING_PROTOCOLS)('embeds through %s (the SDK asks for base64 and decodes it)', async (protocol) => {
    const model = embeddingModels[protocol];
    const { data, response } = await client.embeddings.create({ model: model.name, input: texts, dimensions: 256 }).withResponse();
    expect(data.object).toBe('list');
    expect(data.model).toBe(model.name);
    expect(data.data.map((item) => [item.object, item.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(data.data.map((item) => item.embedding)).toEqual(texts.map((text) => simulatedVector(text, 256)));
    const tokens = protocol === 'gemini' ? estimateEmbeddingTokens(texts) : simulatedTokenTotal(texts);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens, cost: (tokens * model.inputPrice) / 1_000_000 });
    expect(response.headers.get('x-modelgraph-generation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers float arrays for encoding_format float and a single string input', async () => {
    const result = await client.embeddings.create({ model: embeddingModels.openai.name, input: 'one text', encoding_format: 'float' });
    expect(result.data).toEqual([{ object: 'embedding', index: 0, embedding: simulatedVector('one text', 1536) }]);
    // The gateway always asks the upstream for floats; base64 is applied at the edge.
    expect((context.simulators.openai.requests.at(-1)!.body as Record<string, unknown>).encoding_format).toBe('float');
  });

  it('answers base64 float32 for encoding_format base64', async () => {
    const result = await client.embeddings.create({ model: embeddingModels.cohere.name, input: ['abc'], dimensions: 256, encoding_format: 'base64' });
    const encoded = result.data[0]!.embedding as unknown as string;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded, 'base64');
    expect(Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4))).toEqual(simulatedVector('abc', 256));
  });

  it('falls back to the second deployment on 429', async () => {
    context.simulators.openai.setScenario({ kind: 'error', status: 429, message: 'Rate limit reached' });
    const result = await client.embeddings.create({ model: FALLBACK_MODEL, input: texts, dimensions: 256 });
    expect(result.data.map((item) => item.embedding)).toEqual(texts.map((text) => simulatedVector(text, 256)));
    expect(result.usage.prompt_tokens).toBe(simulatedTokenTotal(texts));
  });

  it("retries a 429 within the backoff cap after the upstream's Retry-After", async () => {
    let calls = 0;
    context.simulators.openai.setScenario(() => (++calls === 1 ? { kind: 'error', status: 429, message: 'Rate limit reached', retryAfterSeconds: 1 } : success));
    const started = Date.now();
    const result = await client.embeddings.create({ model: embeddingModels.openai.name, input: texts, dimensions: 256 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(calls).toBe(2);
    expect(result.data.map((item) => item.embedding)).toEqual(texts.map((text) => simulatedVector(text, 256)));
  });

  it('answers errors in OpenAI format with the status SDKs map to their error classes', async () => {
    const unknown = await client.embeddings.create({ model: 'no-such-model', input: 'x' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' });

    // A Retry-After beyond the router's backoff cap (5 s) is not waited for: the client gets it.
    context.simulators.bedrock.setScenario({ kind: 'error', status: 429, message: 'Too many requests', retryAfterSeconds: 7 });
    const limited = await client.embeddings.create({ model: embeddingModels.bedrock.name, input: 'x' }).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('7');

    const tokens = await client.embeddings.create({ model: embeddingModels.openai.name, input: [[1, 2, 3]] }).catch((error: unknown) => error);
    expect(tokens).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tokens as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('token arrays');
  });

  it('refuses a model outside the key\'s allowed models with 403', async () => {
    const { secret } = await context.app.createKey({ name: 'gemini only', scopes: ['INFERENCE'], allowedModels: [embeddingModels.gemini.name] });
    const limited = new OpenAI({ baseURL: `${context.app.url}/v1`, apiKey: secret, maxRetries: 0 });
    const refused = await limited.embeddings.create({ model: embeddingModels.openai.name, input: 'x' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const allowed = await limited.embeddings.create({ model: embeddingModels.gemini.name, input: 'x', dimensions: 256 });
    expect(allowed.data[0]!.embedding).toEqual(simulatedVector('x', 256));
  });

  it.each(EMBEDDING_PROTOCOLS)('closes the %s upstream connection when the SDK aborts the call', async (protocol) => {
    const settled = await abortWhileUpstreamHangs(context.simulators[protocol], (signal) =>
      client.embeddings.create({ model: embeddingModels[protocol].name, input: ['wait'] }, { signal }),
    );
    expect(settled).toBeInstanceOf(OpenAI.APIUserAbortError);
  });
});
