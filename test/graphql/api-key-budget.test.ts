// ApiKey.budget: each key's own budget with its spend in the current period, read in one list
// (the console's keys page shows it per key); null for a key without a budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { chat, eventually } from '../helpers/metering.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const KEYS = `{ apiKeys(first: 100) { edges { node { name budget { scope limit spent reserved remaining periodStart resetsAt } } } } }`;

describe.each(databaseCases)('ApiKey.budget ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    // $1 per 1M output tokens, free input: a request answered with N tokens costs N micro-USD.
    const config = testConfig({
      providers: [{ id: 'sim', kind: 'mock', mock: { text: 'one two three' } }],
      models: [{ name: 'metered', provider: 'sim', model: 'mock-small', pricing: { input: 0, output: 1 } }],
    });
    app = await startTestApp(config, database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it("lists every key's budget with what it spent this period, and null for keys without one", async () => {
    const daily = await app.createKey({ name: 'daily budget', limits: { maxBudget: '0.5', budgetPeriod: 'DAILY' } });
    const lifetime = await app.createKey({ name: 'lifetime budget', limits: { maxBudget: '2' } });
    await app.createKey({ name: 'no budget' });
    const spent = await chat(app, daily.secret, { model: 'metered' });
    expect(spent.__typename).toBe('ChatCompletion');
    expect(Number(spent.cost)).toBeGreaterThan(0);

    const budgets = async () => {
      const { data, errors } = await app.graphql(KEYS);
      expect(errors).toBeUndefined();
      return Object.fromEntries(data.apiKeys.edges.map((edge: any) => [edge.node.name, edge.node.budget]));
    };
    await eventually(async () => (await budgets())['daily budget'].spent === spent.cost);
    const byName = await budgets();
    expect(byName['daily budget']).toMatchObject({ scope: 'KEY', limit: '0.5', spent: spent.cost, reserved: '0' });
    expect(Number(byName['daily budget'].remaining)).toBeCloseTo(0.5 - Number(spent.cost), 6);
    expect(byName['daily budget'].periodStart).toMatch(/T00:00:00\.000Z$/);
    expect(Date.parse(byName['daily budget'].resetsAt) - Date.parse(byName['daily budget'].periodStart)).toBe(86_400_000);
    expect(byName['lifetime budget']).toMatchObject({ scope: 'KEY', limit: '2', spent: '0', resetsAt: null });
    expect(byName['no budget']).toBeNull();
    expect(lifetime.id).toBeTruthy();
  });
});
