// Admin inputs as people type them into a document: JSON object literals (not only variables) and
// ids that are not ids. Over real HTTP, on PGlite and Postgres.
import { parseValue, type GraphQLScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/schema.ts';
import { databaseCases } from '../helpers/databases.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

const MALFORMED = 'nope';
/** Well-formed, and no row has it. */
const UNKNOWN = '0190b0c4-0000-7000-8000-000000000000';

describe('the JSON scalar', () => {
  const json = buildSchema().getType('JSON') as GraphQLScalarType;

  it('reads literals of every JSON kind as plain values, with variables inside', () => {
    const value = json.parseLiteral(parseValue('{ a: "x", n: 1, f: 2.5, neg: -3, t: true, no: false, nothing: null, list: [1, [2], { b: $v }], __proto__: "kept" }'), { v: 'from variable' });
    expect(value).toEqual({ a: 'x', n: 1, f: 2.5, neg: -3, t: true, no: false, nothing: null, list: [1, [2], { b: 'from variable' }], ['__proto__']: 'kept' });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf((value as { list: [unknown, unknown, object] }).list[2])).toBe(Object.prototype);
    // A `__proto__` key is an own key, not a prototype.
    expect(Object.keys(value as object)).toContain('__proto__');
    expect(json.parseLiteral(parseValue('[1, "two", null]'), null)).toEqual([1, 'two', null]);
    expect(json.parseLiteral(parseValue('"text"'), null)).toBe('text');
    // The depth rule of JSON variables holds for literals too.
    expect(() => json.parseLiteral(parseValue(`${'{ a: '.repeat(70)}1${' }'.repeat(70)}`), null)).toThrow(/deeper than 64 levels/);
  });
});

describe.each(databaseCases)('admin inputs ($name)', (databaseCase) => {
  const { app, database } = useTestApp({ database: databaseCase });

  it('takes metadata and modelAliases as inline object literals (the README example) and stores them as given', async () => {
    const created = await app.graphql(`mutation {
      createApiKey(input: {
        name: "search-frontend", scopes: [INFERENCE], allowedModels: ["chat"], modelAliases: { default: "chat" }
        metadata: { team: "a", cost: { centre: 42, share: 0.5 }, tags: ["x", "y"], active: true, note: null }
        limits: { maxBudget: "10", budgetPeriod: DAILY, rpm: 60 }
      }) {
        __typename
        ... on ApiKeyWithSecret { secret apiKey { id modelAliases metadata } }
        ... on Error { code message }
      }
    }`);
    expect(created.errors).toBeUndefined();
    expect(created.data.createApiKey.__typename).toBe('ApiKeyWithSecret');
    const metadata = { team: 'a', cost: { centre: 42, share: 0.5 }, tags: ['x', 'y'], active: true, note: null };
    expect(created.data.createApiKey.apiKey).toMatchObject({ modelAliases: { default: 'chat' }, metadata });
    const id = created.data.createApiKey.apiKey.id;
    // Read back from the database by a new request.
    expect((await app.graphql('query($id: ID!) { apiKey(id: $id) { modelAliases metadata } }', { id })).data.apiKey).toEqual({ modelAliases: { default: 'chat' }, metadata });

    const updated = await app.graphql('mutation($id: ID!, $owner: String!) { updateApiKey(id: $id, input: { metadata: { owner: $owner, levels: [1, 2] } }) { ... on ApiKey { metadata } ... on Error { code message } } }', { id, owner: 'ops' });
    expect(updated).toEqual({ data: { updateApiKey: { metadata: { owner: 'ops', levels: [1, 2] } } } });

    const team = await app.graphql('mutation { createTeam(input: { name: "literal team", metadata: { region: "eu", seats: 3 } }) { ... on Team { id metadata } ... on Error { code message } } }');
    expect(team.data.createTeam.metadata).toEqual({ region: 'eu', seats: 3 });
    const updatedTeam = await app.graphql('mutation($id: ID!) { updateTeam(id: $id, input: { metadata: { region: "us" } }) { ... on Team { metadata } } }', { id: team.data.createTeam.id });
    expect(updatedTeam.data.updateTeam.metadata).toEqual({ region: 'us' });
  });

  it('refuses a literal of the wrong shape with INVALID_REQUEST, not an internal error', async () => {
    const list = await app.graphql('mutation { createApiKey(input: { name: "x", metadata: [1, 2] }) { ... on Error { code message } } }');
    expect(list.data.createApiKey).toEqual({ code: 'INVALID_REQUEST', message: 'metadata: must be a JSON object' });
    const aliases = await app.graphql('mutation { createApiKey(input: { name: "x", modelAliases: { default: 3 } }) { ... on Error { code message } } }');
    expect(aliases.data.createApiKey).toEqual({ code: 'INVALID_REQUEST', message: 'modelAliases.default: must be a model name' });
  });

  it('answers a malformed id like a well-formed unknown one: NOT_FOUND, null or nothing, never an internal error', async () => {
    const key = await app.createKey({ name: 'holder' });
    const team = (await app.graphql('mutation { createTeam(input: { name: "id team" }) { ... on Team { id } } }')).data.createTeam.id;
    const RESULT = '__typename ... on Error { code message }';
    const notFound: Array<[string, (id: string) => string]> = [
      ['updateApiKey', (id) => `mutation { updateApiKey(id: "${id}", input: { name: "x" }) { ${RESULT} } }`],
      ['revokeApiKey', (id) => `mutation { revokeApiKey(id: "${id}") { ${RESULT} } }`],
      ['rotateApiKey', (id) => `mutation { rotateApiKey(id: "${id}") { ${RESULT} } }`],
      ['updateTeam', (id) => `mutation { updateTeam(id: "${id}", input: { name: "y" }) { ${RESULT} } }`],
      ['deleteTeam', (id) => `mutation { deleteTeam(id: "${id}") { ${RESULT} } }`],
      ['addTeamMember', (id) => `mutation { addTeamMember(teamId: "${id}", email: "a@example.com") { ${RESULT} } }`],
      ['removeTeamMember', (id) => `mutation { removeTeamMember(teamId: "${id}", userId: "${id}") { ${RESULT} } }`],
      ['removeTeamMember', (id) => `mutation { removeTeamMember(teamId: "${team}", userId: "${id}") { ${RESULT} } }`],
      ['createApiKey', (id) => `mutation { createApiKey(input: { name: "z", teamId: "${id}" }) { ${RESULT} } }`],
      ['createApiKey', (id) => `mutation { createApiKey(input: { name: "z", userId: "${id}" }) { ${RESULT} } }`],
      ['updateApiKey', (id) => `mutation { updateApiKey(id: "${key.id}", input: { teamId: "${id}" }) { ${RESULT} } }`],
      ['updateApiKey', (id) => `mutation { updateApiKey(id: "${key.id}", input: { userId: "${id}" }) { ${RESULT} } }`],
      ['deleteDeployment', (id) => `mutation { deleteDeployment(id: "${id}") { ${RESULT} } }`],
      ['deleteProviderCredential', (id) => `mutation { deleteProviderCredential(providerId: "${id}") { ${RESULT} } }`],
    ];
    for (const [field, document] of notFound) {
      for (const id of [UNKNOWN, MALFORMED]) {
        const response = await app.graphql(document(id));
        expect(response.errors, `${field}(${id})`).toBeUndefined();
        expect(response.data[field], `${field}(${id})`).toMatchObject({ __typename: 'GatewayError', code: 'NOT_FOUND' });
      }
    }
    for (const id of [UNKNOWN, MALFORMED]) {
      const lookups = await app.graphql(`{
        apiKey(id: "${id}") { id }
        team(id: "${id}") { id }
        generation(id: "${id}") { id }
        provider(id: "${id}") { id }
        model(id: "${id}") { id }
        deployments(model: "${id}") { id }
        byTeam: apiKeys(filter: { teamId: "${id}" }) { edges { node { id } } }
        byUser: apiKeys(filter: { userId: "${id}" }) { edges { node { id } } }
        usage(filter: { teamIds: ["${id}"], userIds: ["${id}"] }) { totals { requests } }
        usageEvents(filter: { teamIds: ["${id}"] }) { edges { node { id } } }
        byUserEvents: usageEvents(filter: { userIds: ["${id}"] }) { edges { node { id } } }
      }`);
      expect(lookups, id).toEqual({
        data: {
          apiKey: null,
          team: null,
          generation: null,
          provider: null,
          model: null,
          deployments: [],
          byTeam: { edges: [] },
          byUser: { edges: [] },
          usage: { totals: { requests: 0 } },
          usageEvents: { edges: [] },
          byUserEvents: { edges: [] },
        },
      });
      const upsert = await app.graphql(`mutation { upsertDeployment(input: { id: "${id}", model: "m", provider: "nowhere", upstreamModel: "u" }) { ${RESULT} } }`);
      expect(upsert.data.upsertDeployment.code).toBe('INVALID_REQUEST'); // the unknown provider is named first
    }
    // Cursors that are not ids: an unknown key or team cursor starts over, as an unknown id does;
    // the time-ordered logs have nothing past it.
    const pages = await app.graphql(`{
      apiKeys(after: "${MALFORMED}") { edges { node { id } } }
      teams(after: "${MALFORMED}") { edges { node { id } } }
      usageEvents(after: "${MALFORMED}") { edges { node { id } } }
      auditLog(after: "${MALFORMED}") { edges { node { id } } }
    }`);
    expect(pages.errors).toBeUndefined();
    expect(pages.data.apiKeys.edges.map((edge: any) => edge.node.id)).toContain(key.id);
    expect(pages.data.teams.edges.map((edge: any) => edge.node.id)).toContain(team);
    expect(pages.data.usageEvents.edges).toEqual([]);
    expect(pages.data.auditLog.edges).toEqual([]);
  });
});
