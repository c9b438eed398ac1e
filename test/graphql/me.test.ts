// `me`: what the calling key may do, its limits, and what is left of its budgets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

describe.each(databaseCases)('me ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = await startTestApp(
      testConfig({ providers: [{ id: 'sim', kind: 'mock', mock: { text: 'one two three four' } }], models: [{ name: 'priced', provider: 'sim', model: 'mock-small', pricing: { input: 1000, output: 1000 } }] }),
      database,
    );
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('shows scopes, limits and the remaining key and team budgets after spending', async () => {
    const team = await app.graphql('mutation { createTeam(input: { name: "spenders", limits: { maxBudget: "100", budgetPeriod: MONTHLY } }) { ... on Team { id } } }');
    const key = await app.createKey({ name: 'spender', teamId: team.data.createTeam.id, limits: { maxBudget: '1', budgetPeriod: 'DAILY', rpm: 100 } });
    const as = { authorization: `Bearer ${key.secret}` };
    const ME = '{ me { scopes limits { maxBudget budgetPeriod rpm } teamLimits { maxBudget } budgets { scope limit spent remaining resetsAt } } }';
    const before = await app.graphql(ME, {}, as);
    expect(before.data.me).toMatchObject({ scopes: ['INFERENCE'], limits: { maxBudget: '1', budgetPeriod: 'DAILY', rpm: 100 }, teamLimits: { maxBudget: '100' } });
    expect(before.data.me.budgets).toEqual([
      { scope: 'KEY', limit: '1', spent: '0', remaining: '1', resetsAt: expect.stringMatching(/T00:00:00.000Z$/) },
      { scope: 'TEAM', limit: '100', spent: '0', remaining: '100', resetsAt: expect.stringMatching(/-01T00:00:00.000Z$/) },
    ]);

    const completion = await app.graphql(
      'mutation { createChatCompletion(input: { model: "priced", maxOutputTokens: 10, messages: [{ role: USER, content: "hi" }] }) { ... on ChatCompletion { cost } ... on Error { code } } }',
      {},
      as,
    );
    const cost = Number(completion.data.createChatCompletion.cost);
    expect(cost).toBeGreaterThan(0);
    // Budgets settle just after the response; poll briefly.
    let budgets: any[] = [];
    for (let i = 0; i < 150; i++) {
      budgets = (await app.graphql(ME, {}, as)).data.me.budgets;
      if (budgets.every((budget) => Number(budget.spent) > 0)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(Number(budgets[0].spent)).toBeCloseTo(cost, 6);
    expect(Number(budgets[0].remaining)).toBeCloseTo(1 - cost, 6);
    expect(Number(budgets[1].spent)).toBeCloseTo(cost, 6);
  });
});
