// totalCount on the connections clients page through (keys, teams, usage events, models): the
// number of matching items over every page, counted only when the field is selected. Over real
// HTTP, on PGlite and Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { bearer, chat, usageFlushed } from '../helpers/metering.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const config = () =>
  testConfig({
    providers: [{ id: 'sim', kind: 'mock', mock: { text: 'counted' } }],
    models: [
      { name: 'chat', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } },
      { name: 'other', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } },
    ],
  });

describe.each(databaseCases)('connection totalCount ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  let teamId: string;
  let counted: { id: string; secret: string };

  beforeAll(async () => {
    database = await open();
    app = await startTestApp(config(), database);
    teamId = (await app.graphql('mutation { createTeam(input: { name: "counted-a" }) { ... on Team { id } } }')).data.createTeam.id;
    await app.graphql('mutation { createTeam(input: { name: "counted-b" }) { ... on Team { id } } }');
    await app.graphql('mutation { createTeam(input: { name: "elsewhere" }) { ... on Team { id } } }');
    for (let i = 0; i < 3; i++) await app.createKey({ name: `in team ${i}`, teamId });
    counted = await app.createKey({ name: 'caller', scopes: ['INFERENCE', 'READ_USAGE'] });
    for (let i = 0; i < 3; i++) await chat(app, counted.secret, { model: 'chat', user: i === 0 ? 'first' : 'rest' });
    await usageFlushed(app);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('counts every matching key, team, usage event and model, not only the page', async () => {
    const response = await app.graphql(`{
      teamKeys: apiKeys(first: 1, filter: { teamId: "${teamId}" }) { totalCount edges { node { id } } pageInfo { hasNextPage } }
      named: apiKeys(first: 1, filter: { search: "in team" }) { totalCount }
      none: apiKeys(filter: { teamId: "nope" }) { totalCount }
      teams(first: 1, search: "counted") { totalCount edges { node { name } } }
      usageEvents(first: 1) { totalCount edges { node { id } } }
      firstUser: usageEvents(first: 1, filter: { endUsers: ["first"] }) { totalCount }
      models(first: 1, filter: { configuredOnly: true }) { totalCount edges { node { id } } pageInfo { hasNextPage } }
      allModels: models(first: 100, filter: { configuredOnly: true }) { totalCount edges { node { id } } }
    }`);
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({
      teamKeys: { totalCount: 3, pageInfo: { hasNextPage: true } },
      named: { totalCount: 3 },
      none: { totalCount: 0 },
      teams: { totalCount: 2, edges: [{ node: { name: 'counted-a' } }] },
      usageEvents: { totalCount: 3 },
      firstUser: { totalCount: 1 },
      models: { totalCount: response.data.allModels.edges.length, pageInfo: { hasNextPage: true } },
      allModels: { totalCount: response.data.allModels.edges.length },
    });
    // The configured names and the provider's catalog model as `sim/...`.
    expect(response.data.allModels.edges.length).toBeGreaterThanOrEqual(2);
    expect(response.data.teamKeys.edges).toHaveLength(1);
    expect(response.data.usageEvents.edges).toHaveLength(1);
    expect(response.data.models.edges).toHaveLength(1);
    // A READ_USAGE key counts its own key's events only, like the page it reads.
    const own = await app.graphql('{ usageEvents(first: 1) { totalCount } }', {}, bearer(counted.secret));
    expect(own.data.usageEvents.totalCount).toBe(3);
    const other = await app.createKey({ name: 'reader', scopes: ['READ_USAGE'] });
    expect((await app.graphql('{ usageEvents { totalCount } }', {}, bearer(other.secret))).data.usageEvents.totalCount).toBe(0);
  });

  it('runs the count only when totalCount is selected', async () => {
    const { keys, teams, usage } = app.app.services;
    const calls = { keys: 0, teams: 0, usage: 0 };
    const originals = { keys: keys.count, teams: teams.count, usage: usage.count };
    keys.count = (...args) => ((calls.keys += 1), originals.keys(...args));
    teams.count = (...args) => ((calls.teams += 1), originals.teams(...args));
    usage.count = (...args) => ((calls.usage += 1), originals.usage(...args));
    try {
      await app.graphql('{ apiKeys { edges { node { id } } } teams { edges { node { id } } } usageEvents { edges { node { id } } } }');
      expect(calls).toEqual({ keys: 0, teams: 0, usage: 0 });
      await app.graphql('{ apiKeys { totalCount } teams { totalCount } usageEvents { totalCount } }');
      expect(calls).toEqual({ keys: 1, teams: 1, usage: 1 });
    } finally {
      Object.assign(keys, { count: originals.keys });
      Object.assign(teams, { count: originals.teams });
      Object.assign(usage, { count: originals.usage });
    }
  });
});
