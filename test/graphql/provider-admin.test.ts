// Live routing changes and provider credentials through admin mutations: no restart, secrets
// encrypted at rest, never returned, never logged.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { startSharedInstances, type SharedInstances } from '../helpers/shared-instances.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import { useSimulator } from '../helpers/use-simulator.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';
import { recordingLogger } from '../helpers/log-capture.ts';

const UPSTREAM_SECRET = 'sk-live-DO-NOT-LEAK-4b1d9c0e7f';

const COMPLETE = `mutation($model: String!) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) {
  __typename ... on ChatCompletion { model provider output { content } cost } ... on Error { code errorMessage: message } } }`;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('provider credentials and deployments, live (PGlite in a directory)', () => {
  const simulator = useSimulator(startOpenAISimulator);
  let dataDir: string;
  let database: Database;
  let app: TestApp;
  const logs: string[] = [];

  beforeAll(async () => {
    simulator.setScenario((request) =>
      request.headers.authorization === `Bearer ${UPSTREAM_SECRET}`
        ? { kind: 'text', chunks: ['from the new provider'], usage: { input: 1000, output: 100 } }
        : { kind: 'error', status: 401, message: 'Incorrect API key provided' },
    );
    dataDir = mkdtempSync(join(tmpdir(), 'mg-secrets-'));
    database = await openDatabase({ dataDir });
    const config = testConfig({ providers: [{ id: 'sim', kind: 'mock' }], models: [{ name: 'from-config', provider: 'sim', model: 'mock-small' }] });
    app = await startTestApp({ ...config, database: { url: undefined, dataDir } }, database, { logger: recordingLogger(logs) });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('adds a provider and a deployment that serve the very next request, without a restart', async () => {
    const before = await app.graphql(COMPLETE, { model: 'house-model' });
    expect(before.data.createChatCompletion.code).toBe('MODEL_NOT_FOUND');

    const credential = await app.graphql(
      `mutation($input: ProviderCredentialInput!) { upsertProviderCredential(input: $input) { __typename ... on ProviderCredential { providerId kind hasSecret baseUrl } } }`,
      { input: { providerId: 'acme', kind: 'openai', baseUrl: simulator.baseUrl, apiKey: UPSTREAM_SECRET } },
    );
    expect(credential.data.upsertProviderCredential).toEqual({ __typename: 'ProviderCredential', providerId: 'acme', kind: 'openai', hasSecret: true, baseUrl: simulator.baseUrl });

    const deployment = await app.graphql(
      `mutation { upsertDeployment(input: { model: "house-model", provider: "acme", upstreamModel: "gpt-4o-mini", pricing: { input: "1", output: "2" } }) {
        __typename ... on Deployment { id model provider upstreamModel inputPrice } } }`,
    );
    expect(deployment.data.upsertDeployment).toMatchObject({ model: 'house-model', provider: 'acme', upstreamModel: 'gpt-4o-mini', inputPrice: '1' });

    const after = await app.graphql(COMPLETE, { model: 'house-model' });
    expect(after.data.createChatCompletion).toMatchObject({ model: 'house-model', provider: 'acme', output: { content: 'from the new provider' }, cost: '0.0012' });
    expect(simulator.requests.at(-1)!.headers.authorization).toBe(`Bearer ${UPSTREAM_SECRET}`);

    const catalog = await app.graphql('{ model(id: "house-model") { routable provider { id configured } } }');
    expect(catalog.data.model).toEqual({ routable: true, provider: { id: 'acme', configured: true } });

    const removed = await app.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { ... on Deployment { model } } }', { id: deployment.data.upsertDeployment.id });
    expect(removed.data.deleteDeployment.model).toBe('house-model');
    expect((await app.graphql(COMPLETE, { model: 'house-model' })).data.createChatCompletion.code).toBe('MODEL_NOT_FOUND');
  });

  it('refuses to delete or change a deployment from the config file', async () => {
    const { data } = await app.graphql('{ deployments { id model } }');
    const fromConfig = data.deployments.find((d: any) => d.model === 'from-config');
    const refused = await app.graphql('mutation($id: ID!) { deleteDeployment(id: $id) { ... on Error { code errorMessage: message } } }', { id: fromConfig.id });
    expect(refused.data.deleteDeployment).toMatchObject({ code: 'DECLARED_IN_CONFIG', errorMessage: expect.stringContaining('config file') });
    const unknownProvider = await app.graphql('mutation { upsertDeployment(input: { model: "x", provider: "nowhere", upstreamModel: "y" }) { ... on Error { code errorMessage: message } } }');
    expect(unknownProvider.data.upsertDeployment).toMatchObject({ code: 'INVALID_REQUEST', errorMessage: expect.stringMatching(/^providerId:/) });
  });

  it('never returns the secret, never logs it, and stores it encrypted', async () => {
    const everything = await app.graphql(`{
      providerCredentials { providerId kind baseUrl hasSecret settings updatedAt }
      auditLog(first: 50) { edges { node { action before after } } }
      providers(first: 200) { edges { node { id baseUrl } } }
    }`);
    expect(everything.data.providerCredentials.map((c: any) => c.providerId)).toContain('acme');
    expect(JSON.stringify(everything)).not.toContain(UPSTREAM_SECRET);
    expect(everything.data.auditLog.edges.map((e: any) => e.node.action)).toEqual(
      expect.arrayContaining(['upsertProviderCredential', 'upsertDeployment', 'deleteDeployment']),
    );
    expect(logs.join('\n')).not.toContain(UPSTREAM_SECRET);
    // Updating without a key keeps the stored one.
    await app.graphql('mutation { upsertProviderCredential(input: { providerId: "acme", kind: "openai", baseUrl: "' + simulator.baseUrl + '" }) { __typename } }');
    await app.graphql('mutation { upsertDeployment(input: { model: "again", provider: "acme", upstreamModel: "gpt-4o-mini" }) { __typename } }');
    expect((await app.graphql(COMPLETE, { model: 'again' })).data.createChatCompletion.output.content).toBe('from the new provider');

    await app.stop();
    await database.close();
    const files = filesUnder(dataDir);
    // The row is on disk (its non-secret columns are found in the files), the secret is not.
    expect(files.some((file) => readFileSync(file).includes(simulator.baseUrl))).toBe(true);
    expect(files.filter((file) => readFileSync(file).includes(UPSTREAM_SECRET))).toEqual([]);
    // Reopened, the stored credential still works (the key file persisted with the data).
    database = await openDatabase({ dataDir });
    const config = testConfig({ providers: [{ id: 'sim', kind: 'mock' }] });
    app = await startTestApp({ ...config, database: { url: undefined, dataDir } }, database, { logger: recordingLogger(logs) });
    expect((await app.graphql(COMPLETE, { model: 'again' })).data.createChatCompletion.output.content).toBe('from the new provider');
  });

  it('deletes a stored credential, taking its provider out of rotation', async () => {
    const deleted = await app.graphql('mutation { deleteProviderCredential(providerId: "acme") { ... on ProviderCredential { providerId hasSecret } } }');
    expect(deleted.data.deleteProviderCredential).toEqual({ providerId: 'acme', hasSecret: true });
    expect((await app.graphql(COMPLETE, { model: 'again' })).data.createChatCompletion.code).toBe('MODEL_NOT_FOUND');
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('deployment changes across two instances on one Postgres', () => {
  let instances: SharedInstances;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    instances = await startSharedInstances({ ...testConfig({ providers: [{ id: 'sim', kind: 'mock' }] }), secretKey: 'ab'.repeat(32) });
    [a, b] = instances.apps as [TestApp, TestApp];
  });
  afterAll(async () => {
    await instances?.stop();
  });

  it('a deployment added on one instance is served by the other', async () => {
    expect((await b.graphql(COMPLETE, { model: 'shared-model' })).data.createChatCompletion.code).toBe('MODEL_NOT_FOUND');
    await a.graphql('mutation { upsertDeployment(input: { model: "shared-model", provider: "sim", upstreamModel: "mock-small" }) { __typename } }');
    const started = Date.now();
    while ((await b.graphql(COMPLETE, { model: 'shared-model' })).data.createChatCompletion.__typename !== 'ChatCompletion') {
      expect(Date.now() - started).toBeLessThan(2000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
});

describe.each(databaseCases.slice(0, 1))('secret key handling', () => {
  it('refuses to store credentials on a shared Postgres without MODELGRAPH_SECRET_KEY', async () => {
    // Simulated through config: a database URL and no secret key.
    const database = await databaseCases[0]!.open();
    const config = testConfig({ providers: [{ id: 'sim', kind: 'mock' }] });
    const app = await startTestApp({ ...config, database: { url: 'postgres://unused/db', dataDir: 'memory://' } }, database);
    const refused = await app.graphql('mutation { upsertProviderCredential(input: { providerId: "x", kind: "openai", apiKey: "k" }) { ... on Error { code errorMessage: message } } }');
    expect(refused.data.upsertProviderCredential).toMatchObject({ code: 'INVALID_REQUEST', errorMessage: expect.stringContaining('MODELGRAPH_SECRET_KEY') });
    await app.stop();
    await database.close();
  });
});
