// Budgets admitted in memory against leases escrowed from Postgres stay exact across instances and
// crashes: a budget shared by 3 instances under uneven load admits exactly what fits and its spend
// is the sum of the settled costs; the last cents of a budget, idle in other instances' leases, still
// serve a request that fits the total; nothing stays reserved or leased once requests end and the
// instances stop; an instance killed with SIGKILL while holding a lease loses no money: its lease
// returns once its TTL passed and another instance can then spend the whole remaining budget.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { openDatabase } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { createSharedPostgres } from '../helpers/databases.ts';
import { bearer, chat, eventually, usageFlushed } from '../helpers/metering.ts';
import { useSharedInstances } from '../helpers/shared-instances.ts';
import { spawnServer } from '../helpers/spawn-server.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const LEASE_TTL_MS = 2000;

// Output at $1 per 1M tokens, free input: a request allowing N tokens reserves N micro-USD; the
// mock answers one token, so it settles at 1 micro-USD.
const config = () => {
  const base = testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok', firstTokenLatencyMs: 200 } }],
    models: [{ name: 'metered', provider: 'sim', model: 'mock-small', pricing: { input: 0, output: 1 } }],
  });
  return { ...base, metering: { ...base.metering, budgetLeaseTtlMs: LEASE_TTL_MS } };
};

interface Ledger {
  spent: bigint;
  reserved: bigint;
  leased: bigint;
  leases: number;
}

async function ledgerOf(database: Database, scopeId: string): Promise<Ledger> {
  const [row] = rowsOf<{ spent: string; reserved: string; leased: string; leases: number }>(
    await database.db.execute(sql`
      select coalesce(sum(spent_micro), 0)::text as spent, coalesce(sum(reserved_micro), 0)::text as reserved, coalesce(sum(leased_micro), 0)::text as leased,
        (select count(*)::int from budget_leases where scope_id = ${scopeId}) as leases
      from budget_spend where scope_id = ${scopeId}`),
  );
  return { spent: BigInt(row!.spent), reserved: BigInt(row!.reserved), leased: BigInt(row!.leased), leases: row!.leases };
}

/** `count` requests at once, split over the apps by `shares` (fractions); the results in order. */
async function unevenStampede(apps: TestApp[], shares: number[], secret: string, count: number, max: number): Promise<any[]> {
  const targets = shares.flatMap((share, index) => Array(Math.round(share * count)).fill(apps[index]));
  return Promise.all(targets.map((app) => chat(app, secret, { model: 'metered', max })));
}

describe.runIf(process.env.TEST_DATABASE_URL)('a budget shared by 3 instances under uneven load (70/20/10)', () => {
  const shared = useSharedInstances(config, 3);

  it('admits exactly the 20 of 300 concurrent requests that fit, spends exactly their cost, and keeps nothing reserved', async () => {
    const { apps } = shared.instances;
    const { observer } = shared;
    const key = await apps[0]!.createKey({ name: 'shared by three', limits: { maxBudget: '0.00002', budgetPeriod: 'LIFETIME' } });
    const results = await unevenStampede(apps, [0.7, 0.2, 0.1], key.secret, 300, 1);
    const refused = results.filter((result) => result.__typename !== 'ChatCompletion');
    expect(results.length - refused.length).toBe(20);
    expect(new Set(refused.map((result) => result.code))).toEqual(new Set(['BUDGET_EXCEEDED']));
    // Written back within moments of settling; nothing stays reserved.
    await eventually(async () => (await ledgerOf(observer, key.id)).spent === 20n);
    expect((await ledgerOf(observer, key.id)).reserved).toBe(0n);
  }, 60_000);

  it('with refunds (reserve 5, settle 1): spend equals the sum of the settled costs and never passes the limit', async () => {
    const { apps } = shared.instances;
    const { observer } = shared;
    const key = await apps[0]!.createKey({ name: 'refunds', limits: { maxBudget: '0.0001', budgetPeriod: 'LIFETIME' } });
    const results = await unevenStampede(apps, [0.7, 0.2, 0.1], key.secret, 300, 5);
    const admitted = results.filter((result) => result.__typename === 'ChatCompletion').length;
    // Each holds 5 until it settles at 1. (Fewer may be admitted:
    // room under 5 left in another instance's lease cannot serve a request of 5; README, "Budgets".)
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(100);
    for (const app of apps) await usageFlushed(app);
    const usage = await apps[0]!.graphql(`query($k: ID!) { usage(filter: { keyIds: [$k] }) { totals { cost } } }`, { k: key.id });
    const settledMicro = BigInt(Math.round(Number(usage.data.usage.totals.cost) * 1e6));
    expect(settledMicro).toBe(BigInt(admitted));
    await eventually(async () => (await ledgerOf(observer, key.id)).spent === settledMicro);
    const ledger = await ledgerOf(observer, key.id);
    expect(ledger.spent).toBeLessThanOrEqual(100n);
    expect(ledger.reserved).toBe(0n);
  }, 60_000);

  it('the last cents: a request that fits the total is admitted though its room sits idle in two other instances\' leases; one that does not fit is refused', async () => {
    const { apps } = shared.instances;
    const { observer } = shared;
    const key = await apps[0]!.createKey({ name: 'last cents', limits: { maxBudget: '0.0001', budgetPeriod: 'LIFETIME' } });
    // Instances 2 and 3 each serve five requests of 1 and so lease a slice beyond what they spend.
    const warm = await Promise.all([1, 2].flatMap((index) => Array.from({ length: 5 }, () => chat(apps[index]!, key.secret, { model: 'metered', max: 1 }))));
    expect(warm.every((result) => result.__typename === 'ChatCompletion')).toBe(true);
    await eventually(async () => (await ledgerOf(observer, key.id)).spent === 10n);
    const held = await ledgerOf(observer, key.id);
    expect(held.leases).toBe(2);
    // 90 is left in total, but less than 90 outside the idle leases.
    expect(held.leased).toBeGreaterThan(0n);
    expect((await chat(apps[0]!, key.secret, { model: 'metered', max: 90 })).__typename).toBe('ChatCompletion');
    await eventually(async () => (await ledgerOf(observer, key.id)).spent === 11n);
    // 89 left: a request of 90 is refused on every instance, one of 89 admitted.
    for (const app of apps) expect((await chat(app, key.secret, { model: 'metered', max: 90 })).code).toBe('BUDGET_EXCEEDED');
    expect((await chat(apps[2]!, key.secret, { model: 'metered', max: 89 })).__typename).toBe('ChatCompletion');
    await eventually(async () => (await ledgerOf(observer, key.id)).spent === 12n);
    expect((await ledgerOf(observer, key.id)).reserved).toBe(0n);
  }, 60_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('reservations and leases never leak', () => {
  it('after the requests end nothing is reserved; after the instances stop nothing is leased', async () => {
    const shared = (await createSharedPostgres())!;
    const observer = await openDatabase({ url: shared.url, dataDir: '' });
    const databases: Database[] = [];
    const apps: TestApp[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        databases.push(await openDatabase({ url: shared.url, dataDir: '' }));
        apps.push(await startTestApp(config(), databases[i]!));
      }
      const key = await apps[0]!.createKey({ name: 'no leak', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
      const results = await unevenStampede(apps, [0.5, 0.5], key.secret, 100, 5);
      expect(results.filter((result) => result.__typename !== "ChatCompletion")).toEqual([]);
      await eventually(async () => (await ledgerOf(observer, key.id)).spent === 100n);
      const during = await ledgerOf(observer, key.id);
      expect(during.reserved).toBe(0n);
      // The instances hold room in escrow while they run...
      expect(during.leased).toBeGreaterThan(0n);
      for (const app of apps.splice(0)) await app.stop();
      // ...and give it all back when they stop.
      expect(await ledgerOf(observer, key.id)).toEqual({ spent: 100n, reserved: 0n, leased: 0n, leases: 0 });
    } finally {
      for (const app of apps) await app.stop();
      for (const database of databases) await database.close();
      await observer.close();
      await shared.drop();
    }
  }, 60_000);
});

describe.runIf(process.env.TEST_DATABASE_URL)('kill -9 of an instance holding a lease', () => {
  let shared: Awaited<ReturnType<typeof createSharedPostgres>>;
  let database: Database;
  let survivor: TestApp;
  beforeAll(async () => {
    shared = await createSharedPostgres();
    database = await openDatabase({ url: shared!.url, dataDir: '' });
    survivor = await startTestApp(config(), database);
  }, 60_000);
  afterAll(async () => {
    await survivor?.stop();
    await database?.close();
    await shared?.drop();
  });

  it('loses no money: its lease returns after the TTL and the survivor can then spend the whole remaining budget', async () => {
    const key = await survivor.createKey({ name: 'crash', limits: { maxBudget: '0.0001', budgetPeriod: 'LIFETIME' } });
    const cwd = mkdtempSync(join(tmpdir(), 'mg-lease-kill-'));
    writeFileSync(
      join(cwd, 'modelgraph.yaml'),
      [
        'providers:',
        '  - { id: sim, kind: mock, mock: { text: "ok" } }',
        'models:',
        '  - { name: metered, provider: sim, model: mock-small, pricing: { input: 0, output: 1 } }',
        `metering: { budgetLeaseTtlMs: ${LEASE_TTL_MS} }`,
        '',
      ].join('\n'),
    );
    const server = spawnServer({ cwd, env: { MODELGRAPH_ADMIN_KEY: 'mg-lease-kill-admin-key-0123456789', DATABASE_URL: shared!.url } });
    try {
      const base = await server.ready;
      // Five requests of 1 on the doomed instance: it leases a slice beyond what it spends.
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${base}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(key.secret) },
          body: JSON.stringify({ model: 'metered', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }),
        });
        expect(response.status).toBe(200);
      }
      await eventually(async () => (await ledgerOf(database, key.id)).spent === 5n);
      const held = await ledgerOf(database, key.id);
      expect(held.leases).toBe(1);
      expect(held.leased).toBeGreaterThan(0n);
      server.child.kill('SIGKILL');
      await server.exited;
    } finally {
      server.child.kill('SIGKILL');
    }
    const killedAt = Date.now();
    // The dead instance's room is out of reach until its lease expires; then all 95 left are spendable.
    let admitted = 0;
    while (Date.now() - killedAt < 4 * LEASE_TTL_MS) {
      const results = await Promise.all(Array.from({ length: 40 }, () => chat(survivor, key.secret, { model: 'metered', max: 1 })));
      admitted += results.filter((result) => result.__typename === 'ChatCompletion').length;
      if (admitted >= 95) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(admitted).toBe(95);
    expect(Date.now() - killedAt).toBeLessThan(4 * LEASE_TTL_MS);
    // Not one more.
    expect((await chat(survivor, key.secret, { model: 'metered', max: 1 })).code).toBe('BUDGET_EXCEEDED');
    await eventually(async () => (await ledgerOf(database, key.id)).spent === 100n);
  }, 90_000);
});
