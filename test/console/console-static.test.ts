// Serving the console's built files at /console, and the 503 page when they were not built.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as consoleOperations from '../../console/src/operations.ts';
import type { Database } from '../../src/db/client.ts';
import { sha256Hex } from '../../src/server/persisted-operations.ts';
import { databaseCases } from '../helpers/databases.ts';
import { recordingLogger } from '../helpers/log-capture.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

describe('the console at /console', () => {
  let directory: string;
  const started: Array<{ app: TestApp; database: Database }> = [];
  let built: TestApp;
  let missing: TestApp;
  let allowlisted: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'modelgraph-console-static-'));
    const dist = join(directory, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/app-abc123.js"></script>');
    await writeFile(join(dist, 'assets', 'app-abc123.js'), 'console.log("hi")');
    // As the console's build writes it (console/vite.config.ts).
    await writeFile(join(dist, 'persisted-operations.json'), JSON.stringify({ [sha256Hex(consoleOperations.ME)]: consoleOperations.ME }));
    const allowlist = { ...testConfig().graphql, persistedOperations: { mode: 'allowlist' as const, file: undefined, allowConsole: true } };
    for (const [distDir, graphql] of [[dist], [join(directory, 'not-built')], [dist, allowlist]] as const) {
      const database = await databaseCases[0]!.open();
      const config = testConfig({ console: { enabled: true, distDir }, ...(graphql ? { graphql } : {}) });
      const app = await startTestApp(config, database, { logger: recordingLogger(logs) });
      started.push({ app, database });
    }
    [built, missing, allowlisted] = started.map((entry) => entry.app) as [TestApp, TestApp, TestApp];
  });
  afterAll(async () => {
    for (const { app, database } of started) {
      await app.stop();
      await database.close();
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('serves index.html with a strict content security policy, and assets as immutable', async () => {
    const index = await fetch(`${built.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>console</title>');
    const asset = await fetch(`${built.url}/console/assets/app-abc123.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('redirects /console to /console/, answers client routes with the app and unknown files with 404', async () => {
    const bare = await fetch(`${built.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/');
    expect(await (await fetch(`${built.url}/console/keys`)).text()).toContain('<title>console</title>');
    expect((await fetch(`${built.url}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${built.url}/console/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${built.url}/console/`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 503 with how to build it when console/dist is missing, and says so once at start', async () => {
    const response = await fetch(`${missing.url}/console/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run console:build');
    expect(logs.filter((line) => line.startsWith('Web console not built') && line.includes('not-built'))).toHaveLength(1);
    expect(logs.find((line) => line.startsWith('Web console not built'))).toContain('npm run console:build');
  });

  it("admits the console's own operations in allowlist mode, from the manifest its build writes", async () => {
    expect((await allowlisted.graphql(consoleOperations.ME)).data.me.keyId).toBe('master');
    expect((await allowlisted.graphql('{ me { keyId } }')).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});
