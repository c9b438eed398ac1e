// Usage is never lost on shutdown: N requests in, N usage rows out, both when app.stop() is called
// with records still buffered and when the real server process gets SIGTERM under load.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.ts';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { databaseCases } from '../helpers/databases.ts';
import { spawnedDatabaseCases, startSpawnedGateway, waitForInFlight } from '../helpers/spawned-gateway.ts';
import { TEST_ADMIN_KEY, testConfig } from '../helpers/test-app.ts';
import { silentLogger } from '../../src/core/ports.ts';

const ADMIN_KEY = 'mg-metering-shutdown-admin-key-0123456789';

async function storedIds(database: { db: any }): Promise<string[]> {
  return rowsOf<{ id: string }>(await database.db.execute(sql`select id::text as id from usage_events`)).map((row) => row.id);
}

describe.each(databaseCases)('app.stop() with usage still buffered ($name)', ({ open }) => {
  it('writes every buffered record before the database closes', async () => {
    const database = await open();
    // A flush interval longer than the test: only stop() can write the records.
    const config = testConfig({ providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }], metering: { ...testConfig().metering, flushIntervalMs: 600_000 } });
    const app = await buildApp(config, { database, logger: silentLogger });
    const { url } = await app.start();
    const ids = await Promise.all(
      Array.from({ length: 120 }, async () => {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
          body: JSON.stringify({ query: 'mutation { createChatCompletion(input: { model: "sim/mock-small", messages: [{ role: USER, content: "hi" }] }) { ... on ChatCompletion { id } } }' }),
        });
        return ((await response.json()) as any).data.createChatCompletion.id as string;
      }),
    );
    expect(app.services.health.metering().buffered).toBe(120);
    expect(await storedIds(database)).toEqual([]);
    await app.stop();
    expect((await storedIds(database)).sort()).toEqual([...ids].sort());
    await database.close();
    // 120 requests and a PGlite start take 5 s on a quiet machine and over 20 s on a loaded one.
  }, 60_000);
});

describe('SIGTERM under load', () => {
  it.each(spawnedDatabaseCases)('every request that got an answer has its usage row, and no other row exists ($name)', async ({ name }) => {
    // Slow enough that all 150 are still open when a loaded machine has accepted the last one.
    const gateway = await startSpawnedGateway({ database: name, adminKey: ADMIN_KEY, mock: '{ firstTokenLatencyMs: 4000, text: "done" }' });
    const { server, base } = gateway;

    const graphqlCall = () =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ query: 'mutation { createChatCompletion(input: { model: "chat", messages: [{ role: USER, content: "hi" }] }) { ... on ChatCompletion { id } } }' }),
      }).then(async (response) => ((await response.json()) as any).data.createChatCompletion.id as string);
    const restCall = (stream: boolean) =>
      fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream }),
      }).then(async (response) => {
        await response.text();
        return response.headers.get('x-modelgraph-generation-id')!;
      });
    // 150 requests in flight (GraphQL, REST JSON and REST streams), then SIGTERM, then one more.
    const settle = (promise: Promise<string>) => promise.then((id) => id, () => null);
    const inFlight = Array.from({ length: 150 }, (_, i) => settle(i % 3 === 0 ? graphqlCall() : restCall(i % 3 === 2)));
    // The signal comes once the gateway holds all 150 at the upstream (the admin deployments
    // query), however long a loaded machine takes to accept them.
    await waitForInFlight(base, ADMIN_KEY, 150);
    server.child.kill('SIGTERM');
    const late = settle(restCall(false));
    const answered = (await Promise.all([...inFlight, late])).filter((id): id is string => id !== null);
    expect(await server.exited).toBe(0);
    expect(answered.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    // Every request accepted before the signal was answered (the late one may or may not be).
    expect(answered.length).toBeGreaterThanOrEqual(150);

    const stored = await gateway.readStore(storedIds);
    // N answers, N rows: the same ids, none lost, none extra.
    expect(stored.sort()).toEqual(answered.sort());
  }, 90_000);
});
