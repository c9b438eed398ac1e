// Several app instances on one fresh Postgres database (when TEST_DATABASE_URL is set), each with
// its own connection pool, as separate gateway processes would have.
import { afterAll, beforeAll } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { createSharedPostgres } from './databases.ts';
import { startTestApp, type TestApp } from './test-app.ts';

export interface SharedInstances {
  apps: TestApp[];
  /** The shared database's URL, for an observer connection. */
  url: string;
  stop(): Promise<void>;
}

export async function startSharedInstances(config: AppConfig, count = 2): Promise<SharedInstances> {
  const shared = await createSharedPostgres();
  if (!shared) throw new Error('TEST_DATABASE_URL is not set');
  const databases: Database[] = [];
  const apps: TestApp[] = [];
  for (let i = 0; i < count; i++) {
    const database = await openDatabase({ url: shared.url, dataDir: '' });
    databases.push(database);
    apps.push(await startTestApp(config, database));
  }
  return {
    apps,
    url: shared.url,
    async stop() {
      for (const app of apps) await app.stop();
      for (const database of databases) await database.close();
      await shared.drop();
    },
  };
}

/**
 * For a describe block: `count` instances on one fresh Postgres database, started before its tests,
 * and an observer connection of its own (to read the ledger as another process would).
 */
export function useSharedInstances(config: () => AppConfig, count: number): { readonly instances: SharedInstances; readonly observer: Database } {
  let instances: SharedInstances | undefined;
  let observer: Database | undefined;
  beforeAll(async () => {
    instances = await startSharedInstances(config(), count);
    observer = await openDatabase({ url: instances.url, dataDir: '' });
  }, 60_000);
  afterAll(async () => {
    await observer?.close();
    await instances?.stop();
  });
  return {
    get instances() {
      return instances!;
    },
    get observer() {
      return observer!;
    },
  };
}
