// Several app instances on one fresh Postgres database (when TEST_DATABASE_URL is set), each with
// its own connection pool, as separate gateway processes would have.
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
