// Only an outage (the database cannot be reached) falls under `budgetsWhenDatabaseUnavailable`;
// any other failure of the budget lookup or the ledger refuses the request with BUDGET_UNAVAILABLE
// before any upstream call: a request is never served unmetered because a statement failed. The
// outage side over a real stopped Postgres; the simulated outages are in test/graphql/budgets.test.ts.
// Issue 15, item 2.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { classifyDatabaseError } from '../../src/db/database-errors.ts';
import { databaseCases } from '../helpers/databases.ts';
import { bearer, usageFlushed } from '../helpers/metering.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { testConfig, type TestApp } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

const config = () =>
  testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }],
    models: [{ name: 'chat', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } }],
  });

const INTERNAL_MESSAGE = 'The budgets that apply to this request could not be checked because of an internal error; the request was refused';

const restChat = (app: TestApp, secret: string) =>
  fetch(`${app.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(secret) },
    body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }),
  });

const graphqlChat = async (app: TestApp, secret: string) =>
  (
    await app.graphql(
      `mutation { createChatCompletion(input: { model: "chat", messages: [{ role: USER, content: "hi" }], maxOutputTokens: 1 }) { __typename ... on Error { code message } } }`,
      {},
      bearer(secret),
    )
  ).data.createChatCompletion;

describe.each(databaseCases)('a budget error that is not an outage refuses the request ($name)', (databaseCase) => {
  const lines: string[] = [];
  const { app, database } = useTestApp({
    database: databaseCase,
    config: () => {
      // The default policy: an outage would serve budgeted requests unreserved.
      const appConfig = config();
      expect(appConfig.metering.budgetsWhenDatabaseUnavailable).toBe('serve');
      return appConfig;
    },
    logger: recordingLogger(lines),
  });

  it('refuses a budgeted request when the ledger statement fails (a check constraint), on REST and GraphQL, before any upstream call', async () => {
    const served = await app.createKey({ name: 'served', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
    const unbudgeted = await app.createKey({ name: 'unbudgeted' });
    expect((await restChat(app, served.secret)).status).toBe(200);

    // A real database error on every lease the budgets need: 23514, not a connection error. A key
    // that holds no lease yet needs one before its first request (NOT VALID: rows already there stay).
    await database.db.execute(sql`ALTER TABLE budget_leases ADD CONSTRAINT test_no_reservations CHECK (amount_micro = 0) NOT VALID`);
    const budgeted = await app.createKey({ name: 'budgeted', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
    try {
      const refused = await restChat(app, budgeted.secret);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeNull();
      expect(await refused.json()).toEqual({ error: { message: INTERNAL_MESSAGE, type: 'server_error', param: null, code: 'budget_unavailable' } });
      expect(await graphqlChat(app, budgeted.secret)).toEqual({ __typename: 'GatewayError', code: 'BUDGET_UNAVAILABLE', message: INTERNAL_MESSAGE });
      // Nothing to reserve, nothing to fail: a key without a budget is served.
      expect((await restChat(app, unbudgeted.secret)).status).toBe(200);
      expect(lines.filter((line) => line.startsWith('metering: budgets'))).toEqual(
        Array(2).fill(expect.stringMatching(/^metering: budgets could not be checked \(not an outage\), refusing the request: .*test_no_reservations/)),
      );
    } finally {
      await database.db.execute(sql`ALTER TABLE budget_leases DROP CONSTRAINT test_no_reservations`);
    }
    expect((await restChat(app, budgeted.secret)).status).toBe(200);

    // The refusals are metered as such, with no upstream attempt.
    await usageFlushed(app);
    const events = await app.graphql(`query($k: ID!) { usageEvents(first: 10, filter: { keyIds: [$k] }) { edges { node { status errorCode attempts { provider } } } } }`, {
      k: budgeted.id,
    });
    const errors = events.data.usageEvents.edges.map((edge: any) => edge.node).filter((node: any) => node.status === 'ERROR');
    expect(errors).toEqual(Array(2).fill({ status: 'ERROR', errorCode: 'BUDGET_UNAVAILABLE', attempts: [] }));
  });

  it('refuses a request whose end-user budget lookup fails with a data error (a NUL byte past the edge), instead of serving it unreserved', async () => {
    // The edges refuse such an id (input-bounds.test.ts); straight to the service, the lookup fails with 22021.
    const served = app.app.services.completions.create(
      { model: 'chat', parameters: { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], user: 'x\u0000y' } },
      new AbortController().signal,
    );
    await expect(served).rejects.toMatchObject({ code: 'BUDGET_UNAVAILABLE', message: INTERNAL_MESSAGE });
    expect(lines.at(-1)).toBe('metering: budgets could not be checked (not an outage), refusing the request: invalid byte sequence for encoding "UTF8": 0x00');
  });
});

describe.runIf(privatePostgresAvailable)('a real outage is still an outage', () => {
  const leaseTtlMs = 1000;
  let postgres: PrivatePostgres;
  const lines: string[] = [];
  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 120_000);
  afterAll(() => postgres?.destroy());
  const { app } = useTestApp({
    database: { name: 'postgres', open: () => openDatabase({ url: postgres.url, dataDir: '' }) },
    config: () => {
      const base = config();
      return { ...base, metering: { ...base.metering, budgetLeaseTtlMs: leaseTtlMs } };
    },
    logger: recordingLogger(lines),
  });
  // Runs before the app stops (after hooks run last-declared first): Postgres is back for its shutdown.
  afterAll(() => postgres?.start());

  it('serves a budgeted request unreserved (the default policy) while Postgres is stopped: its errors are recognised as connection errors', async () => {
    const budgeted = await app.createKey({ name: 'budgeted', limits: { maxBudget: '1', budgetPeriod: 'DAILY' } });
    expect((await restChat(app, budgeted.secret)).status).toBe(200);
    postgres.stop();
    // Served against the lease taken while Postgres was up until it lapses, then unreserved.
    const deadline = Date.now() + 20 * leaseTtlMs;
    while (!lines.some((line) => line.startsWith('metering: budget leases lapsed')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await restChat(app, budgeted.secret)).status).toBe(200);
    expect(await graphqlChat(app, budgeted.secret)).toEqual({ __typename: 'ChatCompletion' });
    expect(lines.filter((line) => line.startsWith('metering: budgets'))).toEqual(Array(2).fill(expect.stringMatching(/^metering: budgets unavailable, serving without a reservation: /)));
    postgres.start();
    await usageFlushed(app, 30_000);
  }, 60_000);
});

describe('what counts as the database being unreachable', () => {
  // Shapes as drizzle passes them on: the driver's error as `cause` of a "Failed query" wrapper.
  const wrapped = (code: string | undefined, message = 'driver message') =>
    Object.assign(new Error('Failed query: select 1\nparams: '), { cause: Object.assign(new Error(message), code ? { code } : {}) });

  it.each([
    ['ECONNREFUSED', 'connection'],
    ['CONNECTION_CLOSED', 'connection'],
    ['CONNECT_TIMEOUT', 'connection'],
    ['08006', 'connection'],
    ['57P01', 'connection'],
    ['53300', 'connection'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['53100', 'transient'],
    ['22021', 'permanent'],
    ['22001', 'permanent'],
    ['23505', 'permanent'],
    ['23514', 'permanent'],
    ['54000', 'permanent'],
    ['42P01', 'permanent'],
  ])('%s is %s', (code, kind) => {
    expect(classifyDatabaseError(wrapped(code))).toBe(kind);
  });

  it('a closed PGlite is unreachable; an error without a code is transient, never an outage', () => {
    expect(classifyDatabaseError(wrapped(undefined, 'PGlite is closed'))).toBe('connection');
    expect(classifyDatabaseError(new Error('budget ledger: locked 1 of 2 budget_spend rows'))).toBe('transient');
  });
});
