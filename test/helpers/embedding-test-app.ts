// One started app for the embeddings tests (GraphQL and REST): real HTTP, PGlite, and the OpenAI,
// Gemini, Cohere and Bedrock upstream simulators as the configured providers' upstreams.
import type { Database } from '../../src/db/client.ts';
import { simulatedAccessKeyId, startBedrockSimulator } from '../providers/bedrock-simulator.ts';
import { startCohereSimulator } from '../providers/cohere-simulator.ts';
import { startGeminiSimulator } from '../providers/gemini-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { databaseCases } from './databases.ts';
import { startTestApp, testConfig, type TestApp } from './test-app.ts';
import type { Scenario, UpstreamSimulator } from './upstream-scenario.ts';

export const EMBEDDING_PROTOCOLS = ['openai', 'gemini', 'cohere', 'bedrock'] as const;
export type EmbeddingProtocol = (typeof EMBEDDING_PROTOCOLS)[number];

/** The public model name served by each protocol's simulator, its upstream model and its input price (USD per 1M tokens). */
export const embeddingModels: Record<EmbeddingProtocol, { name: string; upstream: string; inputPrice: number }> = {
  openai: { name: 'embed-openai', upstream: 'text-embedding-3-small', inputPrice: 100 },
  gemini: { name: 'embed-gemini', upstream: 'gemini-embedding-001', inputPrice: 150 },
  cohere: { name: 'embed-cohere', upstream: 'embed-v4.0', inputPrice: 120 },
  bedrock: { name: 'embed-bedrock', upstream: 'amazon.titan-embed-text-v2:0', inputPrice: 20 },
};

/** A group of two deployments: OpenAI first, Cohere when OpenAI fails. */
export const FALLBACK_MODEL = 'embed-fallback';
/** A chat model whose provider (Anthropic, never reached) serves no embeddings. */
export const CHAT_ONLY_MODEL = 'chat-only';
/**
 * A group of two deployments (OpenAI first, Cohere when OpenAI fails) for the router's tests: no
 * retries, and two failures cool a deployment down, so no other test shares its deployments' health.
 */
export const ROUTED_MODEL = 'embed-routed';

export interface EmbeddingTestContext {
  app: TestApp;
  simulators: Record<EmbeddingProtocol, UpstreamSimulator>;
  /** Sets every simulator to answer successfully. */
  succeed(): void;
  stop(): Promise<void>;
}

export const success: Scenario = { kind: 'text', chunks: ['unused'], usage: { input: 1, output: 1 } };

export async function startEmbeddingTestApp(): Promise<EmbeddingTestContext> {
  const database: Database = await databaseCases[0]!.open();
  const [openai, gemini, cohere, bedrock] = await Promise.all([startOpenAISimulator(), startGeminiSimulator(), startCohereSimulator(), startBedrockSimulator()]);
  const simulators = { openai, gemini, cohere, bedrock };
  const price = (protocol: EmbeddingProtocol) => ({ input: embeddingModels[protocol].inputPrice, output: 0 });
  const app = await startTestApp(
    testConfig({
      providers: [
        { id: 'sim-openai', kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-sim' },
        { id: 'sim-gemini', kind: 'gemini', baseUrl: gemini.baseUrl, apiKey: 'g-sim' },
        { id: 'sim-cohere', kind: 'cohere', baseUrl: cohere.baseUrl, apiKey: 'co-sim' },
        { id: 'sim-bedrock', kind: 'bedrock', baseUrl: bedrock.baseUrl, region: bedrock.region, accessKeyId: simulatedAccessKeyId, secretAccessKey: 'sk-test-key' },
        { id: 'sim-chat', kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', apiKey: 'unused' },
      ],
      models: [
        ...EMBEDDING_PROTOCOLS.map((protocol) => ({
          name: embeddingModels[protocol].name,
          provider: `sim-${protocol}`,
          model: embeddingModels[protocol].upstream,
          pricing: price(protocol),
        })),
        { name: FALLBACK_MODEL, provider: 'sim-openai', model: embeddingModels.openai.upstream, priority: 0, pricing: price('openai') },
        { name: FALLBACK_MODEL, provider: 'sim-cohere', model: embeddingModels.cohere.upstream, priority: 1, pricing: price('cohere') },
        { name: CHAT_ONLY_MODEL, provider: 'sim-chat', model: 'claude-3-5-haiku-20241022' },
        { name: ROUTED_MODEL, provider: 'sim-openai', model: embeddingModels.openai.upstream, priority: 0, pricing: price('openai') },
        { name: ROUTED_MODEL, provider: 'sim-cohere', model: embeddingModels.cohere.upstream, priority: 1, pricing: price('cohere') },
      ],
      router: {
        groups: {
          [ROUTED_MODEL]: { retries: { UPSTREAM_ERROR: 0, RATE_LIMITED: 0 }, cooldown: { failures: 2, windowMs: 60_000, cooldownMs: 60_000 } },
        },
      },
    }),
    database,
  );
  const context: EmbeddingTestContext = {
    app,
    simulators,
    succeed() {
      for (const simulator of Object.values(simulators)) simulator.setScenario(success);
    },
    async stop() {
      await app.stop();
      await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
      await database.close();
    },
  };
  context.succeed();
  return context;
}
