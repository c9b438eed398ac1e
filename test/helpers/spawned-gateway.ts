// A gateway in a process of its own (the built dist/main.js, as `npm start` runs it), configured by
// a modelgraph.yaml in a fresh folder and storing in its own PGlite folder or a fresh Postgres
// database, for the tests that signal it and then read what it stored.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createSharedPostgres } from './databases.ts';
import { spawnServer, type ServerProcess } from './spawn-server.ts';

/** Where a spawned gateway stores: its PGlite folder always, a fresh Postgres database when TEST_DATABASE_URL is set. */
export const spawnedDatabaseCases = [{ name: 'pglite' as const }, ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres' as const }] : [])];

export interface SpawnedGateway {
  server: ServerProcess;
  /** The base URL it listens on. */
  base: string;
  /** Once the process has exited: opens what it stored, hands it to `read`, then closes it (and drops the Postgres database). */
  readStore<T>(read: (database: Database) => Promise<T>): Promise<T>;
}

/**
 * Starts a gateway whose one model, `chat`, is served by the mock provider with the given settings,
 * and whose usage records are written only by its shutdown (the flush timer is longer than a test).
 */
export async function startSpawnedGateway(options: {
  database: 'pglite' | 'postgres';
  adminKey: string;
  /** The mock provider's settings, a YAML flow mapping. */
  mock: string;
  /** Further top-level lines of modelgraph.yaml (a server: section, say). */
  config?: string[];
}): Promise<SpawnedGateway> {
  const cwd = mkdtempSync(join(tmpdir(), 'mg-spawned-'));
  const config = [
    ...(options.config ?? []),
    'providers:',
    `  - { id: sim, kind: mock, mock: ${options.mock} }`,
    'models:',
    '  - { name: chat, provider: sim, model: mock-small, pricing: { input: 1, output: 2 } }',
    'metering: { flushIntervalMs: 600000 }',
  ];
  writeFileSync(join(cwd, 'modelgraph.yaml'), [...config, ''].join('\n'));
  const shared = options.database === 'postgres' ? await createSharedPostgres() : null;
  const server = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: options.adminKey, ...(shared ? { DATABASE_URL: shared.url } : {}) } });
  return {
    server,
    base: await server.ready,
    async readStore(read) {
      const database = shared ? await openDatabase({ url: shared.url, dataDir: '' }) : await openDatabase({ dataDir: join(cwd, '.modelgraph') });
      try {
        return await read(database);
      } finally {
        await database.close();
        await shared?.drop();
      }
    },
  };
}

/** Polls the admin `deployments` query until the gateway has `count` requests open upstream. */
export async function waitForInFlight(base: string, adminKey: string, count: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = 0;
  while (Date.now() < deadline) {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: '{ deployments { state { inFlight } } }' }),
    });
    const body = (await response.json()) as { data?: { deployments?: Array<{ state: { inFlight: number } | null }> } };
    seen = (body.data?.deployments ?? []).reduce((sum, deployment) => sum + (deployment.state?.inFlight ?? 0), 0);
    if (seen >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`only ${seen} of ${count} requests reached the upstream within ${timeoutMs} ms`);
}
