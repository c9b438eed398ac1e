// One started app for the REST tests: real HTTP, PGlite, and the OpenAI, Anthropic and Gemini
// upstream simulators as the configured providers' upstreams.
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import type { AppConfig } from '../../src/config.ts';
import { databaseCases, type DatabaseCase } from '../helpers/databases.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import { lazy } from '../helpers/lazy.ts';
import type { RecordedRequest, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { startAnthropicSimulator } from '../providers/anthropic-simulator.ts';
import { startGeminiSimulator } from '../providers/gemini-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

export interface RestTestContext {
  app: TestApp;
  /** The gateway's OpenAI-style base URL, `<origin>/v1`. */
  baseUrl: string;
  /** A virtual key with the INFERENCE scope, created through the admin API. */
  apiKey: string;
  openai: UpstreamSimulator;
  anthropic: UpstreamSimulator;
  gemini: UpstreamSimulator;
  stop(): Promise<void>;
}

export const bodyLimitBytes = 64 * 1024;
export const allowedOrigin = 'https://app.example';

/** Model names served by each upstream; prices are USD per 1M tokens. */
export const models = { openai: 'gpt-test', anthropic: 'claude-test', gemini: 'gemini-test' } as const;

/** On PGlite unless `databaseCase` says otherwise (the Responses tests use Postgres when it is there). */
export async function startRestTestApp(options: { databaseCase?: DatabaseCase; config?: Partial<AppConfig> } = {}): Promise<RestTestContext> {
  const database: Database = await (options.databaseCase ?? databaseCases[0]!).open();
  const [openai, anthropic, gemini] = await Promise.all([startOpenAISimulator(), startAnthropicSimulator(), startGeminiSimulator()]);
  const base = testConfig();
  const app = await startTestApp(
    testConfig({
      server: { ...base.server, bodyLimitBytes, corsOrigins: [allowedOrigin] },
      providers: [
        { id: 'oai', kind: 'openai', baseUrl: openai.baseUrl, apiKey: 'sk-upstream-openai' },
        { id: 'ant', kind: 'anthropic', baseUrl: anthropic.baseUrl, apiKey: 'sk-ant-upstream' },
        { id: 'gem', kind: 'gemini', baseUrl: gemini.baseUrl, apiKey: 'gemini-upstream-key' },
      ],
      models: [
        { name: models.openai, provider: 'oai', model: 'gpt-5-mini', pricing: { input: 2, output: 8 } },
        { name: models.anthropic, provider: 'ant', model: 'claude-sonnet-4-5', pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
        { name: models.gemini, provider: 'gem', model: 'gemini-2.5-flash', pricing: { input: 0.3, output: 2.5 } },
      ],
      ...options.config,
    }),
    database,
  );
  const { secret } = await app.createKey({ name: 'rest tests', scopes: ['INFERENCE'] });
  return {
    app,
    apiKey: secret,
    baseUrl: `${app.url}/v1`,
    openai,
    anthropic,
    gemini,
    async stop() {
      await app.stop();
      await Promise.all([openai.close(), anthropic.close(), gemini.close()]);
      await database.close();
    },
  };
}

/**
 * The file's REST app (started before its tests, stopped after) and an official `openai` SDK client
 * on it, unchanged apart from base URL and key. Each test starts with no recorded upstream request.
 */
export function useOpenAIClient(options: { databaseCase?: DatabaseCase } = {}): { context: RestTestContext; client: OpenAI } {
  let context: RestTestContext | undefined;
  let client: OpenAI | undefined;
  beforeAll(async () => {
    context = await startRestTestApp(options);
    client = new OpenAI({ baseURL: context.baseUrl, apiKey: context.apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await context?.stop();
  });
  beforeEach(() => {
    for (const simulator of [context!.openai, context!.anthropic, context!.gemini]) simulator.requests.length = 0;
  });
  return { context: lazy(() => context, 'the REST test app'), client: lazy(() => client, 'the OpenAI client') };
}

/**
 * What an OpenAI upstream gets for the REST tests' one request with sampling settings ("Be brief.",
 * then "Hi" with a picture of a cat, to gpt-test), whichever endpoint (Chat Completions, Responses)
 * it came through.
 */
export const briefCatUpstreamBody = {
  model: 'gpt-5-mini',
  temperature: 0.5,
  top_p: 0.9,
  user: 'end-user-1',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] },
  ],
};

/** The body of the last request an upstream simulator recorded. */
export const lastBody = (requests: RecordedRequest[]) => requests.at(-1)!.body as Record<string, any>;
