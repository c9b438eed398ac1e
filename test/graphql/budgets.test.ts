// Budget enforcement by reservation, over the GraphQL API: under 200-way concurrency exactly the
// requests that fit are admitted, on one instance and on two sharing one Postgres; refusals come
// before any upstream call with the limit, the spend and the reset time; periods reset at UTC
// boundaries (injected clock); across a database outage budgeted requests are served against the
// instance's lease until it lapses, then unreserved, or refused over GraphQL and REST with
// `metering.budgetsWhenDatabaseUnavailable: refuse`.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/app.ts';
import type { AppConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/usage-event-store.ts';
import { createSharedPostgres, databaseCases } from '../helpers/databases.ts';
import { bearer, chat, usageFlushed } from '../helpers/metering.ts';
import { ManualClock } from '../helpers/router-harness.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';
import { recordingLogger } from '../helpers/log-capture.ts';
import { silentLogger } from '../../src/core/ports.ts';

// Output at $1 per 1M tokens and free input: a request allowing N output tokens may cost at most
// N micro-USD, whatever its prompt. The mock answers one token ("ok"), so a request allowing one
// token costs exactly what it reserved, 1 micro-USD: no settle frees room for more.
const config = (firstTokenLatencyMs = 0) =>
  testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok', firstTokenLatencyMs } }],
    models: [{ name: 'metered', provider: 'sim', model: 'mock-small', pricing: { input: 0, output: 1 } }],
  });

/** 200 requests at once, spread over the apps; returns each result's __typename or error code. */
async function stampede(apps: TestApp[], secret: string, count = 200): Promise<{ admitted: number; refused: any[] }> {
  const results = await Promise.all(Array.from({ length: count }, (_, i) => chat(apps[i % apps.length]!, secret, { model: 'metered', max: 1 })));
  const refused = results.filter((result) => result.__typename !== 'ChatCompletion');
  return { admitted: results.length - refused.length, refused };
}

async function spendOf(database: Database, scopeId: string): Promise<{ spent: string; reserved: string }[]> {
  return rowsOf(await database.db.execute(sql`select spent_micro::text as spent, reserved_micro::text as reserved from budget_spend where scope_id = ${scopeId}`));
}

describe.each(databaseCases)('budgets on one instance ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = await startTestApp(config(500), database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('admits exactly the 10 of 200 concurrent requests that fit the key budget, refusing the rest before any upstream call', async () => {
    const key = await app.createKey({ name: 'ten requests', limits: { maxBudget: '0.00001', budgetPeriod: 'DAILY' } });
    const { admitted, refused } = await stampede([app], key.secret);
    expect(admitted).toBe(10);
    expect(refused).toHaveLength(190);
    expect(new Set(refused.map((result) => result.code))).toEqual(new Set(['BUDGET_EXCEEDED']));
    expect(refused[0].errorMessage).toMatch(/^Budget exceeded for key "ten requests": limit \$0\.00001, spent \$[\d.]+( \(\+ \$[\d.]+ reserved by requests in flight\))? this DAILY period; this request may cost up to \$0\.000001; /);
    expect(refused[0].errorMessage).toMatch(/resets at \d{4}-\d{2}-\d{2}T00:00:00\.000Z$/);
    await usageFlushed(app);
    const events = await app.graphql(`query($k: ID!) { usage(filter: { keyIds: [$k] }) { totals { requests failedRequests cost } } usageEvents(first: 200, filter: { keyIds: [$k] }) { edges { node { status errorCode attempts { provider } } } } }`, { k: key.id });
    expect(events.data.usage.totals).toMatchObject({ requests: 200, failedRequests: 190 });
    const refusedEvents = events.data.usageEvents.edges.map((edge: any) => edge.node).filter((node: any) => node.status === 'ERROR');
    expect(refusedEvents).toHaveLength(190);
    // Refused before any upstream call: no attempt was made.
    expect(refusedEvents.every((node: any) => node.errorCode === 'BUDGET_EXCEEDED' && node.attempts.length === 0)).toBe(true);
    expect(events.data.usage.totals.cost).toBe('0.00001');
    // After settling: the 10 spent exactly the budget, nothing stays reserved.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await spendOf(database, key.id)).toEqual([{ spent: '10', reserved: '0' }]);
  });

  it('enforces team and user budgets too (end-user budgets: usage.test.ts)', async () => {
    const team = await app.graphql('mutation { createTeam(input: { name: "capped team", limits: { maxBudget: "0.001", budgetPeriod: MONTHLY } }) { ... on Team { id } } }');
    const teamKey = await app.createKey({ name: 'team member key', teamId: team.data.createTeam.id });
    expect((await chat(app, teamKey.secret, { model: 'metered', max: 1000 })).__typename).toBe('ChatCompletion');
    const byTeam = await chat(app, teamKey.secret, { model: 'metered', max: 1000 });
    expect(byTeam.errorMessage).toMatch(/^Budget exceeded for team [0-9a-f-]{36}: limit \$0\.001, spent .* this MONTHLY period; .*resets at \d{4}-\d{2}-01T00:00:00\.000Z$/);

    const member = await app.graphql('mutation($t: ID!) { addTeamMember(teamId: $t, email: "cap@example.com", role: MEMBER) { ... on TeamMember { user { id } } } }', { t: team.data.createTeam.id });
    const userId = member.data.addTeamMember.user.id;
    const userKey = await app.createKey({ name: 'user key', userId });
    await app.graphql(`mutation($u: String!) { setBudget(input: { scope: USER, scopeId: $u, amount: "0.0005", period: LIFETIME }) { __typename } }`, { u: userId });
    const byUser = await chat(app, userKey.secret, { model: 'metered', max: 1000 });
    expect(byUser.errorMessage).toBe(`Budget exceeded for user ${userId}: limit $0.0005, spent $0 in total; this request may cost up to $0.001; the budget never resets`);
    expect((await chat(app, userKey.secret, { model: 'metered', max: 400 })).__typename).toBe('ChatCompletion');
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('budgets on two instances sharing one Postgres', () => {
  let shared: Awaited<ReturnType<typeof createSharedPostgres>>;
  const databases: Database[] = [];
  const apps: TestApp[] = [];
  beforeAll(async () => {
    shared = await createSharedPostgres();
    for (let i = 0; i < 2; i++) {
      databases.push(await openDatabase({ url: shared!.url, dataDir: '' }));
      apps.push(await startTestApp(config(500), databases[i]!));
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    for (const database of databases) await database.close();
    await shared?.drop();
  });

  it('admits exactly the 10 of 200 concurrent requests (100 per instance) that fit', async () => {
    const key = await apps[0]!.createKey({ name: 'shared budget', limits: { maxBudget: '0.00001', budgetPeriod: 'LIFETIME' } });
    const { admitted, refused } = await stampede(apps, key.secret);
    expect(admitted).toBe(10);
    expect(new Set(refused.map((result) => result.code))).toEqual(new Set(['BUDGET_EXCEEDED']));
  });
});

describe.each(databaseCases)('budget periods reset at UTC boundaries ($name)', ({ open }) => {
  let database: Database;
  const clock = new ManualClock(Date.parse('2025-03-14T23:59:00.000Z'));
  let app: Awaited<ReturnType<typeof buildApp>>;
  let url: string;
  const graphql = async (query: string, variables: Record<string, unknown> = {}, secret = TEST_ADMIN_KEY) =>
    (await (
      await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query, variables }) })
    ).json()) as any;

  beforeAll(async () => {
    database = await open();
    const appConfig: AppConfig = config();
    app = await buildApp(appConfig, { database, clock, logger: silentLogger });
    url = (await app.start()).url;
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('a DAILY key budget in a MONTHLY team budget: each resets at its own boundary', async () => {
    // One request costs exactly $0.000001: the key may make one a day, the team two a month.
    const team = await graphql('mutation { createTeam(input: { name: "monthly", limits: { maxBudget: "0.000002", budgetPeriod: MONTHLY } }) { ... on Team { id } } }');
    const created = await graphql(
      'mutation($t: ID!) { createApiKey(input: { name: "daily", teamId: $t, limits: { maxBudget: "0.000001", budgetPeriod: DAILY } }) { ... on ApiKeyWithSecret { secret } } }',
      { t: team.data.createTeam.id },
    );
    const secret = created.data.createApiKey.secret;
    const call = async () =>
      (
        await graphql(
          'mutation { createChatCompletion(input: { model: "metered", messages: [{ role: USER, content: "hi" }], maxOutputTokens: 1 }) { __typename ... on Error { code message } } }',
          {},
          secret,
        )
      ).data.createChatCompletion;

    expect((await call()).__typename).toBe('ChatCompletion');
    const sameDay = await call();
    expect(sameDay.code).toBe('BUDGET_EXCEEDED');
    expect(sameDay.message).toMatch(/key "daily": limit \$0\.000001, spent .*this DAILY period; .*resets at 2025-03-15T00:00:00\.000Z$/);

    clock.time = Date.parse('2025-03-14T23:59:59.999Z');
    expect((await call()).code).toBe('BUDGET_EXCEEDED');
    clock.time = Date.parse('2025-03-15T00:00:00.000Z');
    expect((await call()).__typename).toBe('ChatCompletion');

    // Next day: the key's budget is fresh but the team's month is spent.
    clock.time = Date.parse('2025-03-16T08:00:00.000Z');
    const byTeam = await call();
    expect(byTeam.code).toBe('BUDGET_EXCEEDED');
    expect(byTeam.message).toMatch(/^Budget exceeded for team .* this MONTHLY period; .*resets at 2025-04-01T00:00:00\.000Z$/);
    clock.time = Date.parse('2025-04-01T00:00:00.000Z');
    expect((await call()).__typename).toBe('ChatCompletion');
  });
});

/** A connection error as the driver reports one (postgres.js gives socket errors their `code`). */
const simulatedOutage = () => Object.assign(new Error('connection refused (simulated outage)'), { code: 'ECONNREFUSED' });

/**
 * An app whose database fails every query while `outage.down` (keys are authenticated from the
 * cache by then), started before the tests of the describe block that calls this and stopped after.
 */
function useOutageApp(open: () => Promise<Database>, budgetsWhenDatabaseUnavailable: 'serve' | 'refuse' | undefined) {
  const fixture = { app: undefined as unknown as TestApp, outage: { down: false }, lines: [] as string[] };
  let database: Database | undefined;
  beforeAll(async () => {
    database = await open();
    const real = database;
    const failing: Database = {
      ...real,
      db: new Proxy(real.db, {
        get: (target, property, receiver) =>
          fixture.outage.down && ['execute', 'select', 'insert', 'update', 'delete', 'transaction'].includes(String(property))
            ? () => Promise.reject(simulatedOutage())
            : Reflect.get(target, property, receiver),
      }),
      ping: () => (fixture.outage.down ? Promise.reject(simulatedOutage()) : real.ping()),
    };
    const base = config();
    // A short lease: the budget's lease outlives the outage start by at most this (then the policy applies).
    const metering = { ...base.metering, budgetLeaseTtlMs: LEASE_TTL_MS };
    const appConfig = { ...base, metering: budgetsWhenDatabaseUnavailable ? { ...metering, budgetsWhenDatabaseUnavailable } : metering };
    fixture.app = await startTestApp(appConfig, failing, { logger: recordingLogger(fixture.lines) });
  });
  afterAll(async () => {
    await fixture.app?.stop();
    await database?.close();
  });
  return fixture;
}

const LEASE_TTL_MS = 1000;

/** Resolves once the app logged that its budget leases lapsed (it could not renew them). */
async function leasesLapsed(lines: string[]): Promise<void> {
  const deadline = Date.now() + 10 * LEASE_TTL_MS;
  while (!lines.some((line) => line.startsWith('metering: budget leases lapsed'))) {
    if (Date.now() > deadline) throw new Error(`budget leases did not lapse:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A chat completion through the OpenAI-format REST endpoint. */
const restChat = (app: TestApp, secret: string, extra: Record<string, unknown> = {}) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(secret) },
    body: JSON.stringify({ model: 'metered', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1, ...extra }),
  });

const UNAVAILABLE_MESSAGE = "The budgets that apply to this request cannot be checked because the gateway's database is unavailable; retry later";

describe.each(databaseCases)('budgets across a database outage ($name)', ({ open }) => {
  describe('with metering.budgetsWhenDatabaseUnavailable: refuse', () => {
    const fixture = useOutageApp(open, 'refuse');

    it('refuses budgeted requests with BUDGET_UNAVAILABLE (REST 503 + Retry-After), serves unbudgeted keys, frees the parallel slot and meters the refusals', async () => {
      const { app, outage, lines } = fixture;
      const budgeted = await app.createKey({ name: 'budgeted', limits: { maxBudget: '1', budgetPeriod: 'DAILY', maxParallelRequests: 1 } });
      const unbudgeted = await app.createKey({ name: 'unbudgeted' });
      // While the database is up both are served, and their keys are cached.
      expect((await restChat(app, budgeted.secret)).status).toBe(200);
      expect((await restChat(app, unbudgeted.secret)).status).toBe(200);

      outage.down = true;
      // The lease taken while the database was up still holds money in escrow: served, exactly.
      expect((await restChat(app, budgeted.secret)).status).toBe(200);
      await leasesLapsed(lines);
      const openai = await restChat(app, budgeted.secret);
      expect(openai.status).toBe(503);
      expect(openai.headers.get('retry-after')).toBe('5');
      expect(await openai.json()).toEqual({ error: { message: UNAVAILABLE_MESSAGE, type: 'server_error', param: null, code: 'budget_unavailable' } });
      // A stream is refused before its headers go out, with the same status.
      const streamed = await restChat(app, budgeted.secret, { stream: true });
      expect(streamed.status).toBe(503);
      expect((await streamed.json()).error.code).toBe('budget_unavailable');
      const anthropic = await fetch(`${app.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': budgeted.secret, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'metered', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(anthropic.status).toBe(503);
      expect(await anthropic.json()).toEqual({ type: 'error', error: { type: 'api_error', message: UNAVAILABLE_MESSAGE } });
      expect(await chat(app, budgeted.secret, { model: 'metered', max: 1 })).toEqual({ __typename: 'GatewayError', code: 'BUDGET_UNAVAILABLE', errorMessage: UNAVAILABLE_MESSAGE });

      // A key without a budget has nothing to reserve: served during the outage.
      expect((await restChat(app, unbudgeted.secret)).status).toBe(200);
      expect((await chat(app, unbudgeted.secret, { model: 'metered', max: 1 })).__typename).toBe('ChatCompletion');

      expect(lines.filter((line) => line.startsWith('metering: budgets unavailable'))).toEqual(
        Array(4).fill('metering: budgets unavailable, refusing the request: connection refused (simulated outage)'),
      );
      expect(lines.some((line) => line.includes(budgeted.secret) || line.includes(unbudgeted.secret))).toBe(false);

      // Back up: the refusals released their parallel slot (maxParallelRequests: 1), so it is served.
      outage.down = false;
      expect((await chat(app, budgeted.secret, { model: 'metered', max: 1 })).__typename).toBe('ChatCompletion');
      // The refusals were buffered and written like any usage record.
      await usageFlushed(app, 15_000);
      const events = await app.graphql(`query($k: ID!) { usageEvents(first: 10, filter: { keyIds: [$k] }) { edges { node { status errorCode } } } }`, { k: budgeted.id });
      const refusals = events.data.usageEvents.edges.map((edge: any) => edge.node).filter((node: any) => node.status === 'ERROR');
      expect(refusals).toEqual(Array(4).fill({ status: 'ERROR', errorCode: 'BUDGET_UNAVAILABLE' }));
    });
  });

  describe('by default (serve)', () => {
    const fixture = useOutageApp(open, undefined);

    it('serves a budgeted request without a reservation and logs it', async () => {
      const { app, outage, lines } = fixture;
      // The app's config sets nothing: loadConfig's default applies.
      expect(config().metering.budgetsWhenDatabaseUnavailable).toBe('serve');
      const budgeted = await app.createKey({ name: 'budgeted', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
      expect((await restChat(app, budgeted.secret)).status).toBe(200);
      outage.down = true;
      await leasesLapsed(lines);
      expect((await restChat(app, budgeted.secret)).status).toBe(200);
      expect((await chat(app, budgeted.secret, { model: 'metered', max: 1 })).__typename).toBe('ChatCompletion');
      expect(lines.filter((line) => line.startsWith('metering: budgets unavailable'))).toEqual(
        Array(2).fill('metering: budgets unavailable, serving without a reservation: connection refused (simulated outage)'),
      );
      outage.down = false;
    });
  });
});
