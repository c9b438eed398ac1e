// Usage over the GraphQL API, on PGlite and Postgres: every completion is metered once and found
// by its generation id, grouped reports from rollups and events agree, keys with READ_USAGE see
// only their own key's usage, the live feed, budgets managed by admins, and the outage buffer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { bearer, chat, collectSubscription, eventually, usageFlushed } from '../helpers/metering.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const config = () =>
  testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'one two three four' } }],
    models: [{ name: 'chat', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 2 } }],
  });

const GENERATION = `query($id: ID!) { generation(id: $id) {
  id keyId endUser requestedModel model provider upstreamModel status streamed cancelledByClient requestId cost
  usage { inputTokens outputTokens } attempts { provider model errorCode } } }`;

const USAGE = `query($filter: UsageFilterInput, $groupBy: [UsageGrouping!]) { usage(filter: $filter, groupBy: $groupBy) {
  source totals { requests inputTokens outputTokens cost }
  series { day keyId endUser model provider requests inputTokens outputTokens cost } } }`;

describe.each(databaseCases)('usage queries ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let alice: { id: string; secret: string };
  let bob: { id: string; secret: string };
  const generations: Record<string, string[]> = { alice: [], bob: [] };

  beforeAll(async () => {
    database = await open();
    app = await startTestApp(config(), database);
    alice = await app.createKey({ name: 'alice', scopes: ['INFERENCE', 'READ_USAGE'] });
    bob = await app.createKey({ name: 'bob', scopes: ['INFERENCE', 'READ_USAGE'] });
    for (let i = 0; i < 3; i++) generations.alice!.push((await chat(app, alice.secret, { model: 'chat', user: i < 2 ? 'end-1' : 'end-2' })).id);
    for (let i = 0; i < 2; i++) generations.bob!.push((await chat(app, bob.secret, { model: 'chat' })).id);
    await usageFlushed(app);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('finds a GraphQL completion by its generation id, with the same usage and cost, before and after the flush', async () => {
    const completion = await chat(app, alice.secret, { model: 'chat', user: 'end-3' });
    expect(completion).toMatchObject({ __typename: 'ChatCompletion', cost: expect.any(String) });
    // Looked up at once: served from the writer's buffer if its batch is not written yet.
    const early = await app.graphql(GENERATION, { id: completion.id });
    expect(early.data.generation).toMatchObject({ id: completion.id, cost: completion.cost, usage: completion.usage });
    await usageFlushed(app);
    const stored = await app.graphql(GENERATION, { id: completion.id });
    expect(stored.data.generation).toEqual({
      id: completion.id,
      keyId: alice.id,
      endUser: 'end-3',
      requestedModel: 'chat',
      model: 'chat',
      provider: 'sim',
      upstreamModel: 'mock-small',
      status: 'SUCCESS',
      streamed: false,
      cancelledByClient: false,
      // The GraphQL request's id, as in its x-request-id header and access-log line.
      requestId: expect.stringMatching(/^req_[0-9a-f]{32}$/),
      cost: completion.cost,
      usage: completion.usage,
      attempts: [{ provider: 'sim', model: 'chat', errorCode: null }],
    });
  });

  it('finds REST completions (JSON and streamed) by the generation id they return, with their request id', async () => {
    const post = (body: object) =>
      fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(alice.secret), 'x-request-id': `req-${JSON.stringify(body).length}` },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...body }),
      });
    const json = await post({});
    const body = (await json.json()) as any;
    const jsonId = json.headers.get('x-modelgraph-generation-id')!;
    const streamed = await post({ stream: true, stream_options: { include_usage: true } });
    const streamId = streamed.headers.get('x-modelgraph-generation-id')!;
    await streamed.text();
    await usageFlushed(app);
    const first = (await app.graphql(GENERATION, { id: jsonId })).data.generation;
    expect(first).toMatchObject({ keyId: alice.id, streamed: false, requestId: json.headers.get('x-request-id'), usage: { inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens } });
    const second = (await app.graphql(GENERATION, { id: streamId })).data.generation;
    expect(second).toMatchObject({ keyId: alice.id, streamed: true, status: 'SUCCESS', requestId: streamed.headers.get('x-request-id') });
  });

  it('meters a failed request too', async () => {
    const failed = await chat(app, alice.secret, { model: 'no-such-model' });
    expect(failed.code).toBe('MODEL_NOT_FOUND');
    await usageFlushed(app);
    const events = await app.graphql(`{ usageEvents(first: 5, filter: { models: ["no-such-model"] }) { edges { node { status errorCode model requestedModel cost } } } }`, {}, bearer(alice.secret));
    expect(events.data.usageEvents.edges.map((edge: any) => edge.node)).toEqual([{ status: 'ERROR', errorCode: 'MODEL_NOT_FOUND', model: null, requestedModel: 'no-such-model', cost: '0' }]);
  });

  it('groups usage by key, end user, model and day; whole days from the rollups and partial days from the events agree', async () => {
    const byKey = await app.graphql(USAGE, { groupBy: ['KEY'] });
    expect(byKey.data.usage.source).toBe('ROLLUPS');
    const series = byKey.data.usage.series;
    const bobRow = series.find((row: any) => row.keyId === bob.id);
    expect(bobRow).toMatchObject({ requests: 2, endUser: null, model: null });
    expect(series.find((row: any) => row.keyId === alice.id).requests).toBeGreaterThanOrEqual(3);

    const aliceByEndUser = await app.graphql(USAGE, { filter: { keyIds: [alice.id], models: ['chat'] }, groupBy: ['END_USER', 'MODEL'] });
    const rows = aliceByEndUser.data.usage.series.filter((row: any) => row.endUser === 'end-1' || row.endUser === 'end-2');
    expect(rows.map((row: any) => [row.endUser, row.model, row.requests]).sort()).toEqual([
      ['end-1', 'chat', 2],
      ['end-2', 'chat', 1],
    ]);

    const fromRollups = await app.graphql(USAGE, { groupBy: ['DAY', 'PROVIDER'] });
    const fromEvents = await app.graphql(USAGE, { filter: { from: new Date(Date.now() - 3_600_000).toISOString() }, groupBy: ['DAY', 'PROVIDER'] });
    expect(['EVENTS', 'ROLLUPS_AND_EVENTS']).toContain(fromEvents.data.usage.source);
    expect(fromEvents.data.usage.totals).toEqual(fromRollups.data.usage.totals);
    expect(fromRollups.data.usage.series.map((row: any) => row.day)).toContain(new Date().toISOString().slice(0, 10));
    const totals = fromRollups.data.usage.totals;
    const summed = fromRollups.data.usage.series.reduce((sum: number, row: any) => sum + row.requests, 0);
    expect(summed).toBe(totals.requests);
  });

  it('shows a READ_USAGE key its own usage only; admins see every key', async () => {
    const own = await app.graphql(USAGE, { groupBy: ['KEY'] }, bearer(bob.secret));
    expect(own.data.usage.series.map((row: any) => row.keyId)).toEqual([bob.id]);
    expect(own.data.usage.totals.requests).toBe(2);
    const other = await app.graphql(USAGE, { filter: { keyIds: [alice.id] } }, bearer(bob.secret));
    expect(other.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(other.data?.usage ?? null).toBeNull();

    expect((await app.graphql(GENERATION, { id: generations.alice![0] }, bearer(bob.secret))).data.generation).toBeNull();
    expect((await app.graphql(GENERATION, { id: generations.bob![0] }, bearer(bob.secret))).data.generation.keyId).toBe(bob.id);
    expect((await app.graphql(GENERATION, { id: generations.alice![0] })).data.generation.keyId).toBe(alice.id);

    const log = await app.graphql('{ usageEvents(first: 100) { edges { node { keyId } } } }', {}, bearer(bob.secret));
    expect(new Set(log.data.usageEvents.edges.map((edge: any) => edge.node.keyId))).toEqual(new Set([bob.id]));

    const inferenceOnly = await app.createKey({ name: 'no usage scope', scopes: ['INFERENCE'] });
    for (const query of [USAGE, '{ usageEvents(first: 1) { edges { cursor } } }']) {
      expect((await app.graphql(query, {}, bearer(inferenceOnly.secret))).errors[0].extensions.code).toBe('FORBIDDEN');
      expect((await app.graphql(query, {}, bearer(null))).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await app.graphql(GENERATION, { id: generations.bob![0] }, bearer(inferenceOnly.secret))).errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('pages through the raw log newest first without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: any = await app.graphql('query($after: String) { usageEvents(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }', { after });
      seen.push(...result.data.usageEvents.edges.map((edge: any) => edge.node.id));
      if (!result.data.usageEvents.pageInfo.hasNextPage) break;
      after = result.data.usageEvents.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort().reverse()).toEqual(seen);
    for (const id of [...generations.alice!, ...generations.bob!]) expect(seen).toContain(id);
  });

  it('delivers each record live after its batch commits: admins get all, a READ_USAGE key its own', async () => {
    const adminClient = wsClient(app.wsUrl);
    const bobClient = wsClient(app.wsUrl, { authorization: `Bearer ${bob.secret}` });
    const query = 'subscription { usageEvents { id keyId cost status } }';
    const adminFeed = collectSubscription(adminClient, query);
    const bobFeed = collectSubscription(bobClient, query);
    // Until both subscriptions are live, nothing is delivered to them: warm up with bob's requests.
    await eventually(async () => {
      await chat(app, bob.secret, { model: 'chat' });
      await usageFlushed(app);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return adminFeed.values.length > 0 && bobFeed.values.length > 0;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    adminFeed.values.length = 0;
    bobFeed.values.length = 0;
    const fromAlice = await chat(app, alice.secret, { model: 'chat' });
    const fromBob = await chat(app, bob.secret, { model: 'chat' });
    await eventually(() => adminFeed.values.length >= 2 && bobFeed.values.length >= 1);
    await usageFlushed(app);
    expect(adminFeed.values.map((value) => value.usageEvents.id)).toEqual(expect.arrayContaining([fromAlice.id, fromBob.id]));
    expect(bobFeed.values.map((value) => value.usageEvents)).toEqual([{ id: fromBob.id, keyId: bob.id, cost: fromBob.cost, status: 'SUCCESS' }]);
    expect([...adminFeed.errors, ...bobFeed.errors]).toEqual([]);
    adminFeed.stop();
    bobFeed.stop();
    await adminClient.dispose();
    await bobClient.dispose();
    // A key without READ_USAGE cannot subscribe.
    const inference = await app.createKey({ name: 'feed refused', scopes: ['INFERENCE'] });
    const refused = await subscribeWs(wsClient(app.wsUrl, { authorization: `Bearer ${inference.secret}` }), query).catch((error: unknown) => error);
    expect(String((refused as Error).message)).toMatch(/lacks the required scope/);
  });

  it('lets admins set and delete end-user budgets, audited, and enforces them', async () => {
    const set = await app.graphql(
      `mutation { setBudget(input: { scope: END_USER, scopeId: "capped-user", amount: "0.000001", period: DAILY }) {
        __typename ... on Budget { scope scopeId amount period spent reserved resetsAt } } }`,
    );
    expect(set.data.setBudget).toMatchObject({ __typename: 'Budget', scope: 'END_USER', scopeId: 'capped-user', amount: '0.000001', period: 'DAILY', spent: '0' });
    expect(Date.parse(set.data.setBudget.resetsAt)).toBeGreaterThan(Date.now());
    const refused = await chat(app, alice.secret, { model: 'chat', user: 'capped-user' });
    expect(refused.code).toBe('BUDGET_EXCEEDED');
    expect(refused.errorMessage).toMatch(/^Budget exceeded for end user "capped-user": limit \$0.000001, spent \$0 this DAILY period; .* resets at \d{4}-/);
    expect((await chat(app, alice.secret, { model: 'chat', user: 'someone-else' })).__typename).toBe('ChatCompletion');

    const forbidden = await app.graphql('mutation { deleteBudget(scope: END_USER, scopeId: "capped-user") { __typename } }', {}, bearer(alice.secret));
    expect(forbidden.errors[0].extensions.code).toBe('FORBIDDEN');
    const deleted = await app.graphql('mutation { deleteBudget(scope: END_USER, scopeId: "capped-user") { __typename ... on Budget { scopeId } } }');
    expect(deleted.data.deleteBudget).toEqual({ __typename: 'Budget', scopeId: 'capped-user' });
    expect((await chat(app, alice.secret, { model: 'chat', user: 'capped-user' })).__typename).toBe('ChatCompletion');
    const missing = await app.graphql('mutation { deleteBudget(scope: END_USER, scopeId: "capped-user") { ... on Error { code } } }');
    expect(missing.data.deleteBudget.code).toBe('NOT_FOUND');
    const audit = await app.graphql('{ auditLog(first: 10, targetId: "END_USER:capped-user") { edges { node { action actorName after } } } }');
    expect(audit.data.auditLog.edges.map((edge: any) => edge.node.action)).toEqual(['deleteBudget', 'setBudget']);
    const badUser = await app.graphql('mutation { setBudget(input: { scope: USER, scopeId: "nobody", amount: "1", period: MONTHLY }) { ... on Error { code } } }');
    expect(badUser.data.setBudget.code).toBe('INVALID_REQUEST');
  });

  it('reports the usage writer in health', async () => {
    await usageFlushed(app);
    // The details are for admin keys (the test app's default key).
    const health = await app.graphql('{ health { metering { buffered dropped written lastError databaseReachable } } }');
    expect(health.data.health.metering).toMatchObject({ buffered: 0, dropped: 0, lastError: null, databaseReachable: true });
    expect(health.data.health.metering.written).toBeGreaterThan(5);
  });
});

describe.each(databaseCases)('usage across a database outage ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let down = false;

  beforeAll(async () => {
    database = await open();
    // Writes (db.execute, which the usage writer uses) and pings fail while `down`.
    const failing: Database = {
      ...database,
      db: new Proxy(database.db, {
        get: (target, property, receiver) =>
          property === 'execute' && down ? () => Promise.reject(new Error('connection refused (simulated outage)')) : Reflect.get(target, property, receiver),
      }),
      ping: () => (down ? Promise.reject(new Error('connection refused (simulated outage)')) : database.ping()),
    };
    app = await startTestApp({ ...config(), metering: { ...config().metering, flushIntervalMs: 50, bufferLimit: 1000 } }, failing);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('keeps serving, buffers every record, shows the outage in health, and writes them all once the database is back', async () => {
    down = true;
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      const completion = await chat(app, null, { model: 'chat' });
      // The master key (MODELGRAPH_ADMIN_KEY) needs no database to authenticate.
      expect(completion?.__typename).toBe('ChatCompletion');
      ids.push(completion.id);
    }
    await eventually(() => app.app.services.health.metering().databaseReachable === false);
    const during = await app.graphql('{ health { status metering { buffered dropped lastError databaseReachable } } }');
    expect(during.data.health).toEqual({
      status: 'DEGRADED',
      metering: { buffered: 25, dropped: 0, lastError: 'connection refused (simulated outage)', databaseReachable: false },
    });
    // A generation can still be looked up (from the buffer).
    expect((await app.graphql(GENERATION, { id: ids[3] })).data.generation.id).toBe(ids[3]);

    down = false;
    await usageFlushed(app, 15_000);
    const after = await app.graphql('{ health { status metering { buffered lastError databaseReachable } } usageEvents(first: 100) { edges { node { id } } } }');
    expect(after.data.health).toEqual({ status: 'OK', metering: { buffered: 0, lastError: null, databaseReachable: true } });
    const stored = after.data.usageEvents.edges.map((edge: any) => edge.node.id);
    expect(stored.sort()).toEqual([...ids].sort());
  });
});
