// The mock provider's embeddings: deterministic unit vectors, so /v1/embeddings (the official
// `openai` SDK) and createEmbeddings work with the README's mock configuration and no keys.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from '../../src/providers/mock/mock-embeddings.ts';
import { databaseCases } from '../helpers/databases.ts';
import { bearer } from '../helpers/metering.ts';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

/** The README's "Trying it without provider keys" configuration, as written there. */
const README_MOCK_CONFIG = `providers:
  - id: mock
    kind: mock
    mock: { tokensPerSecond: 40, firstTokenLatencyMs: 200 }
models:
  - name: chat
    provider: mock
    model: mock-small
`;

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('mock embeddings', () => {
  it('are deterministic unit vectors in which texts sharing words are closer', () => {
    const first = mockEmbedding('mock-small', 'The cat sat on the mat', 256);
    expect(mockEmbedding('mock-small', 'The cat sat on the mat', 256)).toEqual(first);
    expect(first).toHaveLength(256);
    expect(Math.hypot(...first)).toBeCloseTo(1, 10);
    const similar = mockEmbedding('mock-small', 'a cat on a mat', 256);
    const unrelated = mockEmbedding('mock-small', 'quarterly revenue forecast', 256);
    expect(cosine(first, similar)).toBeGreaterThan(cosine(first, unrelated) + 0.3);
    // Another model is another vector space; punctuation alone still gives a unit vector.
    expect(mockEmbedding('mock-large', 'The cat sat on the mat', 256)).not.toEqual(first);
    expect(Math.hypot(...mockEmbedding('mock-small', '?!', 8))).toBeCloseTo(1, 10);
  });
});

describe('mock embeddings with the README configuration', () => {
  let database: Database;
  let app: TestApp;
  let secret: string;
  beforeAll(async () => {
    const directory = mkdtempSync(join(tmpdir(), 'modelgraph-mock-'));
    writeFileSync(join(directory, 'modelgraph.yaml'), README_MOCK_CONFIG);
    const loaded = loadConfig({ env: {}, cwd: directory });
    database = await databaseCases[0]!.open();
    app = await startTestApp({ ...loaded, adminKey: TEST_ADMIN_KEY, database: { ...loaded.database, dataDir: 'memory://' }, server: { ...loaded.server, port: 0 } }, database);
    secret = (await app.createKey({ name: 'embeddings', scopes: ['INFERENCE'] })).secret;
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('answers POST /v1/embeddings through the openai SDK, floats and base64, with usage and cost', async () => {
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: secret, maxRetries: 0 });
    const texts = ['hello world', 'embeddings are vectors'];
    const floats = await client.embeddings.create({ model: 'chat', input: texts, encoding_format: 'float' });
    expect(floats.model).toBe('chat');
    expect(floats.data.map((item) => item.embedding)).toEqual(texts.map((text) => mockEmbedding('mock-small', text, MOCK_EMBEDDING_DIMENSIONS)));
    expect(floats.usage).toMatchObject({ prompt_tokens: expect.any(Number), total_tokens: floats.usage.prompt_tokens });
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK's default: base64 float32, decoded by the SDK; `dimensions` shortens the vector.
    const shortened = await client.embeddings.create({ model: 'mock/mock-small', input: 'hello world', dimensions: 32 });
    const expected = mockEmbedding('mock-small', 'hello world', 32);
    expect(shortened.data[0]!.embedding).toHaveLength(32);
    shortened.data[0]!.embedding.forEach((value, index) => expect(value).toBeCloseTo(expected[index]!, 6));
  });

  it('answers createEmbeddings, and refuses impossible dimensions as INVALID_REQUEST', async () => {
    const response = await app.graphql(
      `mutation { createEmbeddings(input: { model: "chat", input: ["first text", "second"], dimensions: 16, inputType: DOCUMENT }) {
        __typename
        ... on Embeddings { model provider upstreamModel dimensions data { index vector } usage { inputTokens } cost }
        ... on Error { code message }
      } }`,
      {},
      bearer(secret),
    );
    expect(response.errors).toBeUndefined();
    const result = response.data.createEmbeddings;
    expect(result).toMatchObject({ __typename: 'Embeddings', model: 'chat', provider: 'mock', upstreamModel: 'mock-small', dimensions: 16 });
    expect(result.data).toEqual([
      { index: 0, vector: mockEmbedding('mock-small', 'first text', 16) },
      { index: 1, vector: mockEmbedding('mock-small', 'second', 16) },
    ]);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(Number(result.cost)).toBeGreaterThan(0);

    const refused = await app.graphql('mutation { createEmbeddings(input: { model: "chat", input: ["x"], dimensions: 100000 }) { ... on Error { code message } } }', {}, bearer(secret));
    expect(refused.data.createEmbeddings).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('dimensions') });
  });
});
