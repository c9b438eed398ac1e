// Instances with different config files on one database (issue 15, item 7). Each instance routes
// its own config's deployments, from its config, plus the admin-created deployments shared
// through the database; another instance's config, sync or admin change never takes them away.
// Runs on real Postgres (each instance with its own connections, changes through LISTEN/NOTIFY)
// when TEST_DATABASE_URL is set, and on PGlite (two apps on one in-process database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { deployments } from '../../src/db/schema.ts';
import { createSharedPostgres } from '../helpers/databases.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const COMPLETE = `mutation($model: String!) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) {
  __typename ... on ChatCompletion { model cost } ... on Error { code errorMessage: message } } }`;

const providers = [{ id: 'sim', kind: 'mock' }] as AppConfig['providers'];
const everyone = { name: 'everyone', provider: 'sim', model: 'mock-small' };
/** Declared only in B's config, with B's own price. */
const onlyB = { name: 'only-b', provider: 'sim', model: 'mock-large', pricing: { input: 1, output: 1 } };
const configA = testConfig({ providers, models: [everyone] });
const configB = testConfig({ providers, models: [everyone, onlyB] });

/** Starts app instances on one database; each may be stopped and started again. */
interface Cluster {
  start(config: AppConfig): Promise<TestApp>;
  close(): Promise<void>;
}

async function postgresCluster(): Promise<Cluster> {
  const shared = (await createSharedPostgres())!;
  const open: Database[] = [];
  return {
    async start(config) {
      // Its own pool, as a separate gateway process would have.
      const database = await openDatabase({ url: shared.url, dataDir: '' });
      open.push(database);
      const app = await startTestApp(config, database);
      return {
        ...app,
        async stop() {
          await app.stop();
          await database.close();
          open.splice(open.indexOf(database), 1);
        },
      };
    },
    async close() {
      for (const database of open) await database.close();
      await shared.drop();
    },
  };
}

async function pgliteCluster(): Promise<Cluster> {
  const database = await openDatabase({ dataDir: 'memory://' });
  return { start: (config) => startTestApp(config, database), close: () => database.close() };
}

const clusters = [
  { name: 'postgres', available: Boolean(process.env.TEST_DATABASE_URL), create: postgresCluster },
  { name: 'pglite', available: true, create: pgliteCluster },
];

async function complete(app: TestApp, model: string) {
  return (await app.graphql(COMPLETE, { model })).data.createChatCompletion;
}

/** Waits until `app` serves `model` (or stops serving it): the other instance's change arrived. */
async function until(app: TestApp, model: string, served: boolean, ms = 5000) {
  const started = Date.now();
  while ((await complete(app, model)).__typename === 'ChatCompletion' !== served) {
    if (Date.now() - started > ms) throw new Error(`${model} ${served ? 'not served' : 'still served'} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function upsert(app: TestApp, input: Record<string, unknown>) {
  const response = await app.graphql(
    `mutation($input: DeploymentInput!) { upsertDeployment(input: $input) { __typename ... on Deployment { id source } ... on Error { code errorMessage: message } } }`,
    { input },
  );
  return response.data?.upsertDeployment ?? response;
}

describe.each(clusters)('config drift between instances on one database ($name)', ({ available, create }) => {
  let cluster: Cluster;
  let a: TestApp;
  let b: TestApp;
  /** What B charges for only-b at its config's price. */
  let priceOfB: string;

  beforeAll(async () => {
    if (!available) return;
    cluster = await create();
    b = await cluster.start(configB);
    // A starts after B: its config lacks only-b.
    a = await cluster.start(configA);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.close();
  });

  it.runIf(available)('an admin change through the instance lacking a model leaves the other serving it', async () => {
    const before = await complete(b, 'only-b');
    expect(before).toMatchObject({ __typename: 'ChatCompletion', model: 'only-b' });
    priceOfB = before.cost;
    expect((await complete(a, 'only-b')).code).toBe('MODEL_NOT_FOUND');

    expect(await upsert(a, { model: 'house', provider: 'sim', upstreamModel: 'mock-small' })).toMatchObject({ __typename: 'Deployment', source: 'ADMIN' });
    // Admin-created deployments are shared: served by both.
    expect((await complete(a, 'house')).__typename).toBe('ChatCompletion');
    await until(b, 'house', true);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
  });

  it.runIf(available)('restarting either instance keeps it so', async () => {
    await a.stop();
    a = await cluster.start(configA);
    await upsert(a, { model: 'house-2', provider: 'sim', upstreamModel: 'mock-small' });
    await until(b, 'house-2', true);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });

    await b.stop();
    b = await cluster.start(configB);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
    expect((await complete(b, 'house')).__typename).toBe('ChatCompletion');
    // A change through A after B's restart reaches B and still leaves only-b in place.
    const { id } = await upsert(a, { model: 'house-3', provider: 'sim', upstreamModel: 'mock-small' });
    await until(b, 'house-3', true);
    await a.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { __typename } }', { id });
    await until(b, 'house-3', false);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
  });

  it.runIf(available)('an admin edit of a deployment declared in the config is refused on that instance', async () => {
    const listed = (await b.graphql('{ deployments(model: "only-b") { id source } }')).data.deployments;
    expect(listed).toEqual([{ id: expect.any(String), source: 'CONFIG' }]);
    const deleted = await b.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { __typename ... on Error { code errorMessage: message } } }', { id: listed[0].id });
    expect(deleted.data.deleteDeployment).toMatchObject({ code: 'DECLARED_IN_CONFIG', errorMessage: expect.stringContaining('config') });
    const byId = await upsert(b, { id: listed[0].id, model: 'only-b', provider: 'sim', upstreamModel: 'mock-large', weight: 5 });
    expect(byId).toMatchObject({ code: 'DECLARED_IN_CONFIG' });
    const byName = await upsert(b, { model: 'only-b', provider: 'sim', upstreamModel: 'mock-large', pricing: { input: '100', output: '100' } });
    expect(byName).toMatchObject({ code: 'DECLARED_IN_CONFIG' });
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
  });

  it.runIf(available)('an admin deployment on an instance without the model does not change what the declaring instance routes', async () => {
    const created = await upsert(a, { model: 'only-b', provider: 'sim', upstreamModel: 'mock-large', pricing: { input: '100', output: '100' } });
    expect(created).toMatchObject({ __typename: 'Deployment', source: 'ADMIN' });
    await until(a, 'only-b', true);
    expect((await complete(a, 'only-b')).cost).not.toBe(priceOfB);
    // B hears of the change (house-4) and keeps its own config's only-b.
    await upsert(a, { model: 'house-4', provider: 'sim', upstreamModel: 'mock-small' });
    await until(b, 'house-4', true);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
    expect((await b.graphql('{ deployments(model: "only-b") { source } }')).data.deployments).toEqual([{ source: 'CONFIG' }]);
    await a.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { __typename } }', { id: created.id });
    await until(a, 'only-b', false);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
  });

  it.runIf(available)('after A declares the model too, both serve it at their own config price, and changes through A leave B alone', async () => {
    await a.stop();
    a = await cluster.start(testConfig({ providers, models: [everyone, { ...onlyB, pricing: { input: 2, output: 2 } }] }));
    expect((await complete(a, 'only-b')).__typename).toBe('ChatCompletion');
    await upsert(a, { model: 'house-5', provider: 'sim', upstreamModel: 'mock-small' });
    await until(b, 'house-5', true);
    expect(await complete(b, 'only-b')).toMatchObject({ __typename: 'ChatCompletion', cost: priceOfB });
    expect((await complete(a, 'only-b')).cost).not.toBe(priceOfB);
    // One deployment, one id on every instance: router state shared through Redis and usage records agree.
    const idOn = async (app: TestApp) => (await app.graphql('{ deployments(model: "only-b") { id } }')).data.deployments;
    expect(await idOn(a)).toEqual(await idOn(b));
  });
});

describe('rows an older version synced from its config file', () => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    // In a hook: a first PGlite start in a worker can take longer than a test's timeout.
    database = await openDatabase({ dataDir: 'memory://' });
    await database.migrate();
    // What a previous version's start wrote for a model its config then declared.
    await database.db.insert(deployments).values({ modelName: 'retired', providerId: 'sim', upstreamModel: 'mock-small', source: 'config' });
    app = await startTestApp(configA, database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('are neither routed nor listed: a model removed from every config file stays removed', async () => {
    expect((await complete(app, 'retired')).code).toBe('MODEL_NOT_FOUND');
    expect((await app.graphql('{ deployments { model source } }')).data.deployments).toEqual([{ model: 'everyone', source: 'CONFIG' }]);
    // An admin deployment of the same identity takes the row over.
    expect(await upsert(app, { model: 'retired', provider: 'sim', upstreamModel: 'mock-small' })).toMatchObject({ __typename: 'Deployment', source: 'ADMIN' });
    expect((await complete(app, 'retired')).__typename).toBe('ChatCompletion');
  });
});
