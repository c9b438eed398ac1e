// Two instances sharing one Postgres: a revoke or update on one applies on the other through
// LISTEN/NOTIFY, not after a cache TTL. Runs when TEST_DATABASE_URL is set (CI always sets it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSharedInstances, type SharedInstances } from '../helpers/shared-instances.ts';
import { testConfig, type TestApp } from '../helpers/test-app.ts';

const ME = '{ me { keyId name } }';

describe.runIf(process.env.TEST_DATABASE_URL)('two instances on one Postgres', () => {
  let instances: SharedInstances;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    instances = await startSharedInstances(testConfig());
    [a, b] = instances.apps as [TestApp, TestApp];
  });
  afterAll(async () => {
    await instances?.stop();
  });

  /** Polls until the condition holds; returns how long it took. */
  async function within(ms: number, condition: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await condition())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Date.now() - started;
  }

  it('a key revoked on one instance is refused by the other at once', async () => {
    const { id, secret } = await a.createKey({ name: 'shared' });
    const auth = { authorization: `Bearer ${secret}` };
    // Both instances have the key cached now.
    expect((await a.graphql(ME, {}, auth)).data.me.keyId).toBe(id);
    expect((await b.graphql(ME, {}, auth)).data.me.keyId).toBe(id);

    await a.graphql('mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }', { id });
    const took = await within(1000, async () => (await b.graphql(ME, {}, auth)).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED');
    expect(took).toBeLessThan(1000);
  });

  it('an update on one instance is seen by the other', async () => {
    const { id, secret } = await a.createKey({ name: 'before' });
    const auth = { authorization: `Bearer ${secret}` };
    expect((await b.graphql(ME, {}, auth)).data.me.name).toBe('before');
    await a.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { name: "after" }) { __typename } }', { id });
    await within(1000, async () => (await b.graphql(ME, {}, auth)).data?.me?.name === 'after');
  });
});
