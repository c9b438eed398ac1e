// createEmbeddings against the OpenAI, Gemini, Cohere and Bedrock simulators: vectors in input
// order, usage and cost metered into the generation's usage record, model access, and the router's
// fallback, retries after Retry-After, cooldown and live state in the admin `deployments` query.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeEmbeddingBase64 } from '../../src/core/embedding-base64.ts';
import { estimateEmbeddingTokens } from '../../src/core/embeddings.ts';
import {
  CHAT_ONLY_MODEL,
  EMBEDDING_PROTOCOLS,
  embeddingModels,
  FALLBACK_MODEL,
  ROUTED_MODEL,
  startEmbeddingTestApp,
  success,
  type EmbeddingTestContext,
} from '../helpers/embedding-test-app.ts';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import { abortWhileUpstreamHangs } from '../helpers/simulator-server.ts';

const CREATE = `mutation($input: EmbeddingsInput!) { createEmbeddings(input: $input) {
  __typename
  ... on Embeddings {
    id model requestedModel provider upstreamModel dimensions
    data { index vector base64 }
    usage { inputTokens totalTokens } usageEstimated cost
    attempts { provider errorCode }
  }
  ... on Error { code errorMessage: message }
  ... on GatewayError { retryAfterMs upstreamProvider }
} }`;

const GENERATION = `query($id: ID!) { generation(id: $id) {
  id keyId requestedModel model provider upstreamModel status cost endUser usage { inputTokens outputTokens } attempts { provider errorCode } } }`;

const ROUTED = `mutation($input: EmbeddingsInput!) { createEmbeddings(input: $input) {
  __typename
  ... on Embeddings { provider attempts { provider errorCode retry backoffMs } }
  ... on Error { code }
} }`;

const DEPLOYMENTS = `query($model: String) { deployments(model: $model) {
  provider state { inFlight averageLatencyMs failuresInWindow cooledUntil requestsThisMinute tokensThisMinute } } }`;

const texts = ['hello world', 'embeddings are vectors', 'a third text to embed'];

describe('createEmbeddings through GraphQL', () => {
  let context: EmbeddingTestContext;
  let key: { id: string; secret: string };

  beforeAll(async () => {
    context = await startEmbeddingTestApp();
    key = await context.app.createKey({ name: 'embedder', scopes: ['INFERENCE', 'READ_USAGE'] });
  });
  afterAll(async () => {
    await context?.stop();
  });
  beforeEach(() => context.succeed());

  async function embed(input: Record<string, unknown>, secret = key.secret) {
    const response = await context.app.graphql(CREATE, { input }, bearer(secret));
    expect(response.errors).toBeUndefined();
    return response.data.createEmbeddings;
  }

  it.each(EMBEDDING_PROTOCOLS)('embeds through %s in input order, with usage and cost metered once', async (protocol) => {
    const model = embeddingModels[protocol];
    const result = await embed({ model: model.name, input: texts, dimensions: 256, inputType: 'DOCUMENT', user: 'end-user-1' });
    expect(result.__typename).toBe('Embeddings');
    expect(result).toMatchObject({ model: model.name, requestedModel: model.name, provider: `sim-${protocol}`, upstreamModel: model.upstream, dimensions: 256 });
    expect(result.data.map((item: { index: number }) => item.index)).toEqual([0, 1, 2]);
    expect(result.data.map((item: { vector: number[] }) => item.vector)).toEqual(texts.map((text) => simulatedVector(text, 256)));
    for (const item of result.data) expect(decodeEmbeddingBase64(item.base64)).toEqual(item.vector);

    // The Gemini API counts no tokens: the gateway's estimate is billed and flagged.
    const tokens = protocol === 'gemini' ? estimateEmbeddingTokens(texts) : simulatedTokenTotal(texts);
    expect(result.usage).toEqual({ inputTokens: tokens, totalTokens: tokens });
    expect(result.usageEstimated).toBe(protocol === 'gemini');
    const micro = tokens * model.inputPrice;
    expect(result.cost).toBe(String(micro / 1_000_000));
    expect(result.attempts).toEqual([{ provider: `sim-${protocol}`, errorCode: null }]);

    await usageFlushed(context.app);
    const generation = await context.app.graphql(GENERATION, { id: result.id }, bearer(key.secret));
    expect(generation.data.generation).toEqual({
      id: result.id,
      keyId: key.id,
      requestedModel: model.name,
      model: model.name,
      provider: `sim-${protocol}`,
      upstreamModel: model.upstream,
      status: 'SUCCESS',
      cost: result.cost,
      endUser: 'end-user-1',
      usage: { inputTokens: tokens, outputTokens: 0 },
      attempts: [{ provider: `sim-${protocol}`, errorCode: null }],
    });
  });

  it('refuses a model outside the key\'s allowed models with FORBIDDEN, before any upstream call', async () => {
    const limited = await context.app.createKey({ name: 'openai only', scopes: ['INFERENCE'], allowedModels: [embeddingModels.openai.name] });
    const before = context.simulators.cohere.requests.length;
    const refused = await embed({ model: embeddingModels.cohere.name, input: ['hi'] }, limited.secret);
    expect(refused).toMatchObject({ __typename: 'GatewayError', code: 'FORBIDDEN' });
    expect(context.simulators.cohere.requests.length).toBe(before);
    const allowed = await embed({ model: embeddingModels.openai.name, input: ['hi'] }, limited.secret);
    expect(allowed.__typename).toBe('Embeddings');
  });

  it('needs the INFERENCE scope', async () => {
    const reader = await context.app.createKey({ name: 'reader', scopes: ['READ_USAGE'] });
    const response = await context.app.graphql(CREATE, { input: { model: embeddingModels.openai.name, input: ['hi'] } }, bearer(reader.secret));
    expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('falls back to the next deployment when the first answers 429, and meters the one that served', async () => {
    context.simulators.openai.setScenario({ kind: 'error', status: 429, message: 'Rate limit reached', retryAfterSeconds: 3 });
    const result = await embed({ model: FALLBACK_MODEL, input: texts });
    expect(result).toMatchObject({ __typename: 'Embeddings', model: FALLBACK_MODEL, provider: 'sim-cohere', upstreamModel: embeddingModels.cohere.upstream });
    expect(result.attempts).toEqual([
      { provider: 'sim-openai', errorCode: 'RATE_LIMITED' },
      { provider: 'sim-cohere', errorCode: null },
    ]);
    expect(result.cost).toBe(String((simulatedTokenTotal(texts) * embeddingModels.cohere.inputPrice) / 1_000_000));
    await usageFlushed(context.app);
    const generation = await context.app.graphql(GENERATION, { id: result.id }, bearer(key.secret));
    expect(generation.data.generation).toMatchObject({ provider: 'sim-cohere', status: 'SUCCESS', attempts: [{ errorCode: 'RATE_LIMITED' }, { errorCode: null }] });
  });

  it('does not fall back on an error the next deployment would share, and reports it typed', async () => {
    context.simulators.openai.setScenario({ kind: 'error', status: 400, message: "Invalid value for 'dimensions'" });
    const before = context.simulators.cohere.requests.length;
    const result = await embed({ model: FALLBACK_MODEL, input: ['x'] });
    expect(result).toMatchObject({ __typename: 'GatewayError', code: 'INVALID_REQUEST', upstreamProvider: 'sim-openai' });
    expect(context.simulators.cohere.requests.length).toBe(before);
  });

  it('reports RATE_LIMITED with Retry-After when every deployment is rate limited', async () => {
    context.simulators.bedrock.setScenario({ kind: 'error', status: 429, message: 'Too many requests', retryAfterSeconds: 7 });
    const result = await embed({ model: embeddingModels.bedrock.name, input: ['x'] });
    expect(result).toMatchObject({ __typename: 'GatewayError', code: 'RATE_LIMITED', retryAfterMs: 7000 });
  });

  it('answers MODEL_NOT_FOUND for an unknown model and for a model whose provider serves no embeddings', async () => {
    expect(await embed({ model: 'no-such-model', input: ['x'] })).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const chatOnly = await embed({ model: CHAT_ONLY_MODEL, input: ['x'] });
    expect(chatOnly).toMatchObject({ code: 'MODEL_NOT_FOUND' });
    expect(chatOnly.errorMessage).toContain('embeddings');
  });

  it.each(EMBEDDING_PROTOCOLS)('closes the %s upstream connection when the client leaves during the mutation', async (protocol) => {
    const settled = await abortWhileUpstreamHangs(context.simulators[protocol], (signal) =>
      fetch(context.app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(key.secret) },
        body: JSON.stringify({ query: CREATE, variables: { input: { model: embeddingModels[protocol].name, input: ['wait'] } } }),
        signal,
      }),
    );
    expect(settled).toBeInstanceOf(Error);
  });

  it('refuses empty input as INVALID_REQUEST', async () => {
    expect(await embed({ model: embeddingModels.openai.name, input: [] })).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await embed({ model: embeddingModels.openai.name, input: ['ok', ''] })).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  describe('routed like chat completions', () => {
    async function routed(input: Record<string, unknown>) {
      const response = await context.app.graphql(ROUTED, { input }, bearer(key.secret));
      expect(response.errors).toBeUndefined();
      return response.data.createEmbeddings;
    }

    it("retries a 429 after the upstream's Retry-After and lists both attempts", async () => {
      let calls = 0;
      context.simulators.openai.setScenario(() => (++calls === 1 ? { kind: 'error', status: 429, message: 'Rate limit reached', retryAfterSeconds: 1 } : success));
      const started = Date.now();
      const result = await routed({ model: embeddingModels.openai.name, input: texts });
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(result).toEqual({
        __typename: 'Embeddings',
        provider: 'sim-openai',
        attempts: [
          { provider: 'sim-openai', errorCode: 'RATE_LIMITED', retry: 0, backoffMs: 0 },
          { provider: 'sim-openai', errorCode: null, retry: 1, backoffMs: 1000 },
        ],
      });
    });

    it('cools a failing deployment down after falling back, skips it next time, and shows the traffic in `deployments`', async () => {
      context.simulators.openai.setScenario({ kind: 'error', status: 500, message: 'The server had an error while processing your request.' });
      const openAIBefore = context.simulators.openai.requests.length;
      for (let i = 0; i < 2; i++) {
        expect((await routed({ model: ROUTED_MODEL, input: texts })).attempts).toEqual([
          { provider: 'sim-openai', errorCode: 'UPSTREAM_ERROR', retry: 0, backoffMs: 0 },
          { provider: 'sim-cohere', errorCode: null, retry: 0, backoffMs: 0 },
        ]);
      }
      // Two failures within the window: OpenAI is out of rotation, the next request goes straight to Cohere.
      expect((await routed({ model: ROUTED_MODEL, input: texts })).attempts).toEqual([{ provider: 'sim-cohere', errorCode: null, retry: 0, backoffMs: 0 }]);
      expect(context.simulators.openai.requests.length).toBe(openAIBefore + 2);

      const response = await context.app.graphql(DEPLOYMENTS, { model: ROUTED_MODEL });
      expect(response.errors).toBeUndefined();
      const states = Object.fromEntries(response.data.deployments.map((deployment: { provider: string; state: unknown }) => [deployment.provider, deployment.state]));
      expect(states['sim-openai']).toMatchObject({ inFlight: 0, requestsThisMinute: 2 });
      expect(Date.parse(states['sim-openai'].cooledUntil)).toBeGreaterThan(Date.now());
      expect(states['sim-cohere']).toMatchObject({ inFlight: 0, failuresInWindow: 0, cooledUntil: null, requestsThisMinute: 3 });
      expect(states['sim-cohere'].averageLatencyMs).not.toBeNull();
      expect(states['sim-cohere'].tokensThisMinute).toBeGreaterThan(0);
    });
  });
});
