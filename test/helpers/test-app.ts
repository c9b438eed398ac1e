import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { PROVIDER_KIND_NAMES } from '../../src/providers/registry.ts';

export interface TestApp {
  app: App;
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  /** POSTs a GraphQL operation over real HTTP and returns the parsed body. */
  graphql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  stop(): Promise<void>;
}

export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  const base = loadConfig({ env: {}, cwd: '/nonexistent', knownKinds: PROVIDER_KIND_NAMES });
  return { ...base, ...overrides, server: { ...base.server, port: 0, ...(overrides.server ?? {}) } };
}

export async function startTestApp(config: AppConfig, database: Database): Promise<TestApp> {
  const app = await buildApp(config, { database, logger: () => undefined });
  const { url } = await app.start();
  const graphqlUrl = `${url}/graphql`;
  return {
    app,
    url,
    graphqlUrl,
    wsUrl: graphqlUrl.replace(/^http/, 'ws'),
    async graphql(query, variables, headers = {}) {
      const response = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as any;
    },
    stop: () => app.stop(),
  };
}
