// One app per describe block: a database is opened and the app started before its tests, both
// closed after them. The returned `app` and `database` stand for the running ones (usable inside
// tests and hooks, not while the block is being declared).
import { afterAll, beforeAll } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import type { Clock, Logger } from '../../src/core/ports.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases, type DatabaseCase } from './databases.ts';
import { lazy } from './lazy.ts';
import { startTestApp, testConfig, type TestApp } from './test-app.ts';

export interface TestAppSetup {
  /** Built in beforeAll (after the block's earlier hooks, so it may read a simulator's URL). Default: testConfig(). */
  config?: () => AppConfig;
  /** Default: PGlite in memory. */
  database?: DatabaseCase;
  logger?: Logger;
  clock?: Clock;
}

export function useTestApp(setup: TestAppSetup = {}): { app: TestApp; database: Database } {
  let database: Database | undefined;
  let app: TestApp | undefined;
  beforeAll(async () => {
    database = await (setup.database ?? databaseCases[0]!).open();
    app = await startTestApp((setup.config ?? testConfig)(), database, { ...(setup.logger ? { logger: setup.logger } : {}), ...(setup.clock ? { clock: setup.clock } : {}) });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });
  return { app: lazy(() => app, 'the test app'), database: lazy(() => database, 'the test database') };
}
