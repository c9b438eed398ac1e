import { buildApp, type App } from '../../src/app/app.ts';
import { loadConfig, type AppConfig } from '../../src/config.ts';
import { silentLogger, type Clock, type Logger } from '../../src/core/ports.ts';
import type { Database } from '../../src/db/client.ts';

export interface TestApp {
  app: App;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** Creates a virtual key through the createApiKey mutation and returns its secret and id. */
  createKey(input?: Record<string, unknown>): Promise<{ id: string; secret: string }>;
  /** POSTs a GraphQL operation over real HTTP (with the admin key unless headers say otherwise). */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: any }>;
  stop(): Promise<void>;
}

/** The master key of every test app (MODELGRAPH_ADMIN_KEY). */
export const TEST_ADMIN_KEY = 'mg-test-admin-key-0123456789abcdefghijklmnop';

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const loaded = loadConfig({ env: {}, cwd: '/nonexistent' });
  const base = { ...loaded, adminKey: TEST_ADMIN_KEY, database: { ...loaded.database, dataDir: 'memory://' } };
  return { ...base, ...overrides, server: { ...base.server, port: 0, ...(overrides.server ?? {}) } };
}

export async function startTestApp(
  config: AppConfig,
  database: Database,
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<TestApp> {
  const app = await buildApp(config, { database, logger: options.logger ?? silentLogger, ...(options.clock ? { clock: options.clock } : {}) });
  const { url } = await app.start();
  const graphqlUrl = `${url}/graphql`;
  const testApp: TestApp = {
    app,
    url,
    graphqlUrl,
    wsUrl: graphqlUrl.replace(/^http/, 'ws'),
    async graphql(query, variables, headers = {}) {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as any;
    },
    async createKey(input = {}) {
      const response = await testApp.graphql(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on ApiKeyWithSecret { secret apiKey { id } } ... on Error { code message } } }`,
        { input: { name: 'test key', ...input } },
      );
      const result = response.data?.createApiKey;
      if (result?.__typename !== 'ApiKeyWithSecret') throw new Error(`createApiKey failed: ${JSON.stringify(response)}`);
      return { id: result.apiKey.id, secret: result.secret };
    },
    stop: () => app.stop(),
  };
  return testApp;
}
