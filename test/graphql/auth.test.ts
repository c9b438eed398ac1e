// Keys, scopes and admin authorization, over real HTTP and WebSocket, on PGlite and Postgres.
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../../src/db/client.ts';
import { buildSchema } from '../../src/graphql/schema.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

/** A valid value of an input type, for calling a field just to see whether it is authorized. */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value === undefined ? named.getValues()[0]!.name : named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(named.getFields())) if (isNonNullType(field.type)) value[field.name] = sampleValue(field.type);
    return value;
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'ID':
        return '00000000-0000-7000-8000-000000000000';
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'Money':
        return '1';
      case 'DateTime':
        return new Date().toISOString();
      case 'JSON':
        return {};
      default:
        return 'x';
    }
  }
  return null;
}

function operationFor(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>) {
  const args = field.args.filter((arg) => isNonNullType(arg.type));
  const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
  const call = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const isLeaf = isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type));
  return {
    query: `${kind}${declarations ? `(${declarations})` : ''} { ${field.name}${call ? `(${call})` : ''}${isLeaf ? '' : ' { __typename }'} }`,
    variables: Object.fromEntries(args.map((arg) => [arg.name, sampleValue(arg.type)])),
  };
}

const adminOnly = (field: GraphQLField<unknown, unknown>) =>
  Boolean((field.extensions as { pothosOptions?: { authScopes?: { admin?: boolean } } }).pothosOptions?.authScopes?.admin);

const ME = '{ me { keyId scopes } }';

describe.each(databaseCases)('API keys and admin authorization ($name)', ({ open }) => {
  let database: Database;
  let app: TestApp;
  beforeAll(async () => {
    database = await open();
    app = await startTestApp(testConfig({ providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }] }), database);
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  const as = (secret: string | null) => ({ authorization: secret === null ? '' : `Bearer ${secret}` });

  it('refuses every admin mutation and admin-only query field to a non-admin key, and everything but health without a key', async () => {
    const schema = buildSchema();
    const { secret } = await app.createKey({ name: 'inference only', scopes: ['INFERENCE', 'READ_USAGE'] });
    const mutationFields = Object.values(schema.getMutationType()!.getFields());
    const queryFields = Object.values(schema.getQueryType()!.getFields());
    // Every mutation is admin-only unless it is an inference operation: new mutations are covered by default.
    const inferenceMutations = mutationFields.filter((field) => !adminOnly(field)).map((field) => field.name);
    expect(inferenceMutations.every((name) => /^createChatCompletions?$|^createEmbeddings$/.test(name))).toBe(true);
    const adminFields = [
      ...mutationFields.filter(adminOnly).map((field) => ['mutation', field] as const),
      ...queryFields.filter(adminOnly).map((field) => ['query', field] as const),
    ];
    expect(adminFields.length).toBeGreaterThanOrEqual(14);
    for (const [kind, field] of adminFields) {
      const { query, variables } = operationFor(kind, field);
      const refused = await app.graphql(query, variables, as(secret));
      expect(refused.errors?.[0]?.extensions?.code, `${kind} ${field.name}`).toBe('FORBIDDEN');
      expect(refused.data?.[field.name] ?? null).toBeNull();
      const anonymous = await app.graphql(query, variables, as(null));
      expect(anonymous.errors?.[0]?.extensions?.code, `${kind} ${field.name} without a key`).toBe('UNAUTHENTICATED');
    }
    for (const field of queryFields.filter((f) => f.name !== 'health')) {
      const { query, variables } = operationFor('query', field);
      const anonymous = await app.graphql(query, variables, as(null));
      expect(anonymous.errors?.[0]?.extensions?.code, `query ${field.name} without a key`).toBe('UNAUTHENTICATED');
    }
    const health = await app.graphql('{ health { status } }', {}, as(null));
    expect(health).toEqual({ data: { health: { status: 'OK' } } });
  });

  it('creates a key whose secret is shown once and works at once; lists never show secrets', async () => {
    const created = await app.graphql(
      `mutation { createApiKey(input: { name: "app", scopes: [INFERENCE], allowedModels: ["sim/*"], limits: { rpm: 60, maxBudget: "5" } }) {
        ... on ApiKeyWithSecret { secret apiKey { id name displayPrefix status scopes limits { rpm maxBudget budgetPeriod } team { name } } } } }`,
    );
    const { secret, apiKey } = created.data.createApiKey;
    expect(secret).toMatch(/^mg-[0-9A-Za-z]{43}$/);
    expect(apiKey).toMatchObject({ name: 'app', status: 'ACTIVE', scopes: ['INFERENCE'], limits: { rpm: 60, maxBudget: '5', budgetPeriod: 'LIFETIME' }, team: { name: 'default' } });
    expect(secret.startsWith(apiKey.displayPrefix.slice(0, 7))).toBe(true);
    const me = await app.graphql(ME, {}, as(secret));
    expect(me.data.me).toEqual({ keyId: apiKey.id, scopes: ['INFERENCE'] });
    const listed = await app.graphql('{ apiKeys(first: 50) { edges { node { id displayPrefix } } } }');
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.data.apiKeys.edges.map((e: any) => e.node.id)).toContain(apiKey.id);
  });

  it('accepts the key as Bearer and as x-api-key; rejects unknown keys with UNAUTHENTICATED', async () => {
    const { secret } = await app.createKey({ name: 'headers' });
    expect((await app.graphql(ME, {}, { authorization: '', 'x-api-key': secret })).data.me).toBeTruthy();
    const unknown = await app.graphql(ME, {}, as('mg-thisKeyDoesNotExist0000000000000000000000000'));
    expect(unknown.errors[0]).toMatchObject({ message: 'Unknown API key', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('fails a revoked key on the very next request and refuses it a new subscription', async () => {
    const { id, secret } = await app.createKey({ name: 'to revoke' });
    // A connection that stays open across subscriptions (not lazy).
    const client = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: { authorization: `Bearer ${secret}` } });
    const before = await subscribeWs(client, 'subscription { time(intervalMs: 10, count: 1) }');
    expect(before).toHaveLength(1);
    expect((await app.graphql(ME, {}, as(secret))).data.me.keyId).toBe(id);

    const revoked = await app.graphql('mutation($id: ID!) { revokeApiKey(id: $id) { ... on ApiKey { status revokedAt } } }', { id });
    expect(revoked.data.revokeApiKey.status).toBe('REVOKED');
    const after = await app.graphql(ME, {}, as(secret));
    expect(after.errors[0]).toMatchObject({ message: 'This API key has been revoked', extensions: { code: 'UNAUTHENTICATED' } });
    // The same open connection cannot start another subscription.
    await expect(subscribeWs(client, 'subscription { time(intervalMs: 10, count: 1) }')).rejects.toThrow(/revoked/);
    await client.dispose();
    // A new connection is refused at connect with 4403 and the reason.
    const fresh = wsClient(app.wsUrl, { authorization: `Bearer ${secret}` });
    const refusal = await subscribeWs(fresh, 'subscription { time(intervalMs: 10, count: 1) }').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 4403, reason: 'Forbidden: this API key has been revoked' });
    await fresh.dispose();
  });

  it('answers health over WebSocket without a key, refuses everything else there, and closes an unknown key with the reason', async () => {
    // One connection without a key, kept open across operations.
    const anonymous = createClient({ url: app.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: {} });
    expect(await subscribeWs(anonymous, '{ health { status } }')).toEqual([{ health: { status: 'OK' } }]);
    await expect(subscribeWs(anonymous, '{ me { keyId } }')).rejects.toThrow(/"code":"UNAUTHENTICATED"/);
    await expect(subscribeWs(anonymous, 'subscription { time(intervalMs: 10, count: 1) }')).rejects.toThrow(/An API key is required/);
    await expect(subscribeWs(anonymous, '{ health { status } me { keyId } }')).rejects.toThrow(/UNAUTHENTICATED/);
    // Still open: health again on the same socket.
    expect(await subscribeWs(anonymous, '{ health { status } }')).toEqual([{ health: { status: 'OK' } }]);
    await anonymous.dispose();

    const unknown = wsClient(app.wsUrl, { authorization: 'Bearer mg-thisKeyDoesNotExist0000000000000000000000000' });
    const refusal = await subscribeWs(unknown, '{ health { status } }').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 4403, reason: 'Forbidden: unknown API key' });
    await unknown.dispose();
  });

  it('fails an expired key and a disabled key with the reason', async () => {
    const expired = await app.createKey({ name: 'expired', expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect((await app.graphql(ME, {}, as(expired.secret))).errors[0].message).toMatch(/^This API key expired at /);
    const disabled = await app.createKey({ name: 'disabled' });
    await app.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { disabled: true }) { __typename } }', { id: disabled.id });
    expect((await app.graphql(ME, {}, as(disabled.secret))).errors[0]).toMatchObject({ message: 'This API key is disabled', extensions: { code: 'UNAUTHENTICATED' } });
    await app.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { disabled: false }) { __typename } }', { id: disabled.id });
    expect((await app.graphql(ME, {}, as(disabled.secret))).data.me.keyId).toBe(disabled.id);
  });

  it('honours the grace period of a rotated key, and ends it at once with a zero grace', async () => {
    const { id, secret: old } = await app.createKey({ name: 'rotating' });
    const rotated = await app.graphql('mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 3600) { ... on ApiKeyWithSecret { secret apiKey { previousSecretValidUntil } } } }', { id });
    const fresh = rotated.data.rotateApiKey.secret;
    expect(fresh).not.toBe(old);
    expect(Date.parse(rotated.data.rotateApiKey.apiKey.previousSecretValidUntil)).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await app.graphql(ME, {}, as(old))).data.me.keyId).toBe(id);
    expect((await app.graphql(ME, {}, as(fresh))).data.me.keyId).toBe(id);

    const again = await app.graphql('mutation($id: ID!) { rotateApiKey(id: $id, gracePeriodSeconds: 0) { ... on ApiKeyWithSecret { secret } } }', { id });
    const newest = again.data.rotateApiKey.secret;
    expect((await app.graphql(ME, {}, as(fresh))).errors[0].message).toMatch(/rotated/);
    expect((await app.graphql(ME, {}, as(old))).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await app.graphql(ME, {}, as(newest))).data.me.keyId).toBe(id);
  });

  it('enforces allowed models of the key and of its team, and model aliases', async () => {
    const team = await app.graphql('mutation { createTeam(input: { name: "restricted", allowedModels: ["sim/mock-small"] }) { ... on Team { id } } }');
    const teamId = team.data.createTeam.id;
    const key = await app.createKey({ name: 'team key', teamId, modelAliases: { cheap: 'sim/mock-small' } });
    const call = (model: string) =>
      app.graphql(
        `mutation($model: String!) { createChatCompletion(input: { model: $model, messages: [{ role: USER, content: "hi" }] }) { __typename ... on ChatCompletion { model } ... on Error { code errorMessage: message } } }`,
        { model },
        as(key.secret),
      );
    expect((await call('sim/mock-small')).data.createChatCompletion).toMatchObject({ __typename: 'ChatCompletion' });
    expect((await call('cheap')).data.createChatCompletion).toMatchObject({ __typename: 'ChatCompletion', model: 'sim/mock-small' });
    expect((await call('sim/mock-large')).data.createChatCompletion).toMatchObject({ code: 'FORBIDDEN', errorMessage: expect.stringContaining("team may not use") });
    const narrow = await app.createKey({ name: 'narrow', allowedModels: ['sim/mock-large'] });
    const refused = await app.graphql(
      `mutation { createChatCompletion(input: { model: "sim/mock-small", messages: [{ role: USER, content: "hi" }] }) { ... on Error { code } } }`,
      {},
      as(narrow.secret),
    );
    expect(refused.data.createChatCompletion.code).toBe('FORBIDDEN');
    const readOnly = await app.createKey({ name: 'reader', scopes: ['READ_USAGE'] });
    const noInference = await app.graphql(
      `mutation { createChatCompletion(input: { model: "sim/mock-small", messages: [{ role: USER, content: "hi" }] }) { __typename } }`,
      {},
      as(readOnly.secret),
    );
    expect(noInference.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('manages teams and members, refusing to delete a team that has keys', async () => {
    const created = await app.graphql('mutation { createTeam(input: { name: "platform", limits: { tpm: 1000 } }) { ... on Team { id limits { tpm } } } }');
    const teamId = created.data.createTeam.id;
    expect(created.data.createTeam.limits.tpm).toBe(1000);
    const duplicate = await app.graphql('mutation { createTeam(input: { name: "platform" }) { ... on Error { code errorMessage: message } } }');
    expect(duplicate.data.createTeam).toMatchObject({ code: 'INVALID_REQUEST', errorMessage: expect.stringContaining('exists') });
    const member = await app.graphql('mutation($t: ID!) { addTeamMember(teamId: $t, email: "Ada@Example.com", role: ADMIN) { ... on TeamMember { role user { id email } } } }', { t: teamId });
    expect(member.data.addTeamMember).toMatchObject({ role: 'ADMIN', user: { email: 'ada@example.com' } });
    const team = await app.graphql('query($t: ID!) { team(id: $t) { name members { role user { email } } } }', { t: teamId });
    expect(team.data.team).toEqual({ name: 'platform', members: [{ role: 'ADMIN', user: { email: 'ada@example.com' } }] });
    const key = await app.createKey({ name: 'platform key', teamId });
    const blocked = await app.graphql('mutation($t: ID!) { deleteTeam(id: $t) { ... on Error { code } } }', { t: teamId });
    expect(blocked.data.deleteTeam.code).toBe('INVALID_REQUEST');
    await app.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { teamId: null }) { __typename } }', { id: key.id });
    const removed = await app.graphql('mutation($t: ID!, $u: ID!) { removeTeamMember(teamId: $t, userId: $u) { ... on Team { members { role } } } }', {
      t: teamId,
      u: member.data.addTeamMember.user.id,
    });
    expect(removed.data.removeTeamMember.members).toEqual([]);
    const deleted = await app.graphql('mutation($t: ID!) { deleteTeam(id: $t) { ... on Team { name } } }', { t: teamId });
    expect(deleted.data.deleteTeam.name).toBe('platform');
    const missing = await app.graphql('mutation($t: ID!) { deleteTeam(id: $t) { ... on Error { code } } }', { t: teamId });
    expect(missing.data.deleteTeam.code).toBe('NOT_FOUND');
  });

  it('writes every admin change to the audit log with secrets redacted', async () => {
    const { id, secret } = await app.createKey({ name: 'audited' });
    await app.graphql('mutation($id: ID!) { updateApiKey(id: $id, input: { name: "audited-2" }) { __typename } }', { id });
    const log = await app.graphql('query($id: String!) { auditLog(first: 10, targetId: $id) { edges { node { action actorName before after } } } }', { id });
    const entries = log.data.auditLog.edges.map((e: any) => e.node);
    expect(entries.map((e: any) => e.action)).toEqual(['updateApiKey', 'createApiKey']);
    expect(entries[0]).toMatchObject({ actorName: 'master key', before: { name: 'audited' }, after: { name: 'audited-2' } });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/[0-9a-f]{64}/); // no secret hash either
  });

  it('validates admin input with typed errors naming the field', async () => {
    const bad = await app.graphql('mutation { createApiKey(input: { name: "x", allowedModels: ["gpt*"], limits: { rpm: 0 } }) { ... on Error { code errorMessage: message } } }');
    expect(bad.data.createApiKey).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(bad.data.createApiKey.errorMessage).toMatch(/^(allowedModels|rpmLimit):/);
    const unknownTeam = await app.graphql('mutation { createApiKey(input: { name: "x", teamId: "00000000-0000-7000-8000-000000000000" }) { ... on Error { code } } }');
    expect(unknownTeam.data.createApiKey.code).toBe('NOT_FOUND');
    const badMoney = await app.graphql('mutation { createTeam(input: { name: "m", limits: { maxBudget: "1.0000001" } }) { __typename } }');
    expect(badMoney.errors[0].message).toMatch(/at most 6 decimals/);
  });

  it('slows down repeated failed authentication from one address', async () => {
    const failures = [];
    for (let i = 0; i < 25; i++) failures.push(await app.graphql(ME, {}, as(`mg-wrong-${i}-000000000000000000000000000000000`)));
    const codes: string[] = failures.map((f) => f.errors![0]!.extensions!.code as string);
    // 20 failures a minute are allowed per address (earlier tests in this file spent a few).
    const firstLimited = codes.indexOf('RATE_LIMITED');
    expect(firstLimited).toBeGreaterThan(0);
    expect(firstLimited).toBeLessThanOrEqual(20);
    expect(codes.slice(0, firstLimited).every((code) => code === 'UNAUTHENTICATED')).toBe(true);
    expect(codes.slice(firstLimited).every((code) => code === 'RATE_LIMITED')).toBe(true);
    // The client is told when it may try again; a valid key from that address is still admitted
    // (only failures are throttled: test/reliability/failed-auth-limiter.test.ts).
    expect(failures.at(-1)!.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect((await app.graphql(ME)).data.me).toBeTruthy();
  });
});
