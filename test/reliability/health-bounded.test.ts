// Health answers within a bounded time whatever the database does (frozen with SIGSTOP, or
// stopped), says "degraded" when the database does not answer, and tells a caller without an
// admin key the status only: no database error, host, port or version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { eventually } from '../helpers/metering.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const HEALTH_TIMEOUT_MS = 400;
/** The bound asserted: the timeout plus room for a loaded machine (a hang never meets it). */
const ANSWER_WITHIN_MS = 2_500;
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

describe.runIf(privatePostgresAvailable)('bounded health over a private Postgres', () => {
  let postgres: PrivatePostgres;
  let database: Database;
  let app: TestApp;

  const httpHealth = (path: string, headers: Record<string, string> = {}) =>
    timed(async () => {
      const response = await fetch(`${app.url}${path}`, { headers });
      return { status: response.status, text: await response.text() };
    });
  const graphqlHealth = (query: string, headers: Record<string, string> = {}) =>
    timed(async () => {
      const response = await fetch(app.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      return { status: response.status, text: await response.text() };
    });

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    database = await openDatabase({ url: postgres.url, dataDir: '' });
    const config = testConfig({
      server: { ...testConfig().server, healthTimeoutMs: HEALTH_TIMEOUT_MS },
      providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }],
      metering: { ...testConfig().metering, flushIntervalMs: 50 },
    });
    app = await startTestApp(config, database);
  }, 120_000);
  afterAll(async () => {
    postgres?.thaw();
    postgres?.start();
    await app?.stop();
    await database?.close();
    postgres?.destroy();
  }, 60_000);

  it('answers status only without an admin key, and the details with one, while the database is up', async () => {
    const anonymous = await httpHealth('/health');
    expect(anonymous.value).toEqual({ status: 200, text: JSON.stringify({ status: 'ok' }) });
    const detailed = JSON.parse((await httpHealth('/health', admin)).value.text);
    expect(detailed).toMatchObject({ status: 'ok', databaseReachable: true, databaseDriver: 'postgres', metering: { dropped: 0 } });
    expect(JSON.parse((await httpHealth('/health/live')).value.text)).toEqual({ status: 'ok' });
    expect((await httpHealth('/health/ready')).value).toEqual({ status: 200, text: JSON.stringify({ status: 'ready' }) });
    expect(JSON.parse((await httpHealth('/health/ready', admin)).value.text)).toEqual({
      status: 'ready',
      checks: { database: true, meteringBuffer: true, providers: true },
    });
  });

  it('answers /health, /health/ready and the health query within the bound while Postgres is frozen (SIGSTOP)', async () => {
    postgres.freeze();
    try {
      // Several at once, as load balancers probe: none waits for the frozen database.
      const [http, ready, live, detailed, graphql] = await Promise.all([
        httpHealth('/health'),
        httpHealth('/health/ready'),
        httpHealth('/health/live'),
        httpHealth('/health', admin),
        graphqlHealth('{ health { status } }'),
      ]);
      for (const answer of [http, ready, live, detailed, graphql]) expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(http.value).toEqual({ status: 503, text: JSON.stringify({ status: 'degraded' }) });
      expect(ready.value).toEqual({ status: 503, text: JSON.stringify({ status: 'not_ready' }) });
      expect(live.value.status).toBe(200);
      expect(JSON.parse(detailed.value.text)).toMatchObject({ status: 'degraded', databaseReachable: false });
      expect(JSON.parse(graphql.value.text)).toEqual({ data: { health: { status: 'DEGRADED' } } });
      // Asked again while still frozen: still bounded (the first ping is still hanging).
      expect((await httpHealth('/health')).ms).toBeLessThan(ANSWER_WITHIN_MS);
    } finally {
      postgres.thaw();
    }
    await eventually(async () => (await httpHealth('/health')).value.status === 200, 20_000);
  }, 60_000);

  it('keeps database errors (host, port) from callers without an admin key while Postgres is down', async () => {
    postgres.stop();
    try {
      // A usage write fails with the driver's connection error, which names the host and port.
      const completion = await fetch(app.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...admin },
        body: JSON.stringify({ query: 'mutation { createChatCompletion(input: { model: "sim/mock-small", messages: [{ role: USER, content: "hi" }] }) { __typename } }' }),
      });
      expect(((await completion.json()) as any).data.createChatCompletion.__typename).toBe('ChatCompletion');
      await eventually(() => app.app.services.health.metering().lastError !== null, 20_000);
      const lastError = app.app.services.health.metering().lastError!;
      expect(lastError).toContain(String(postgres.port));

      const everything = '{ health { status version databaseDriver databaseReachable uptimeSeconds metering { lastError buffered } } }';
      const anonymous = [await httpHealth('/health'), await httpHealth('/health/ready'), await graphqlHealth(everything)];
      for (const answer of anonymous) {
        expect(answer.ms).toBeLessThan(ANSWER_WITHIN_MS);
        expect(answer.value.text).not.toContain(String(postgres.port));
        expect(answer.value.text).not.toContain('127.0.0.1');
        expect(answer.value.text).not.toContain(lastError);
      }
      expect(anonymous[0]!.value).toEqual({ status: 503, text: JSON.stringify({ status: 'degraded' }) });
      // The status still comes; every detail field is refused (null, with an error naming it).
      const graphql = JSON.parse(anonymous[2]!.value.text);
      expect(graphql.data.health).toEqual({ status: 'DEGRADED', version: null, databaseDriver: null, databaseReachable: null, uptimeSeconds: null, metering: null });
      expect(graphql.errors.map((error: any) => error.extensions.code)).toEqual(Array(5).fill('UNAUTHENTICATED'));

      // An admin key sees the error.
      const detailed = await graphqlHealth('{ health { metering { lastError } } }', admin);
      expect(JSON.parse(detailed.value.text).data.health.metering.lastError).toBe(lastError);
    } finally {
      postgres.start();
    }
    await eventually(async () => (await httpHealth('/health')).value.status === 200, 20_000);
  }, 60_000);
});
