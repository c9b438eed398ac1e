// GraphQL over SSE in single connection mode with the real graphql-sse client: one reserved
// stream carries queries, mutations and subscriptions; the stream belongs to the key that reserved
// it; operations keep the CSRF, limit and auth checks of any POST.
import { createClient, type Client, type ExecutionResult } from 'graphql-sse';

type SingleConnectionClient = Client<true>;
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const TOKEN_HEADER = 'x-graphql-event-stream-token';
const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

/** Runs one operation over the client and returns every result (errors included). */
function run<T = any>(client: SingleConnectionClient, query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<T, unknown>[]> {
  const results: ExecutionResult<T, unknown>[] = [];
  return new Promise((resolve, reject) => {
    client.subscribe<T>({ query, ...(variables ? { variables } : {}) }, { next: (result) => results.push(result), error: reject, complete: () => resolve(results) });
  });
}

describe('GraphQL over SSE, single connection mode', () => {
  let database: Database;
  let app: TestApp;
  const clients: SingleConnectionClient[] = [];
  const singleConnectionClient = (
    headers: Record<string, string>,
    onRequest?: (method: string, body: string | undefined) => void,
    onMessage?: (message: { event: string; data: any }) => void,
  ) => {
    const client = createClient({
      url: app.graphqlUrl,
      singleConnection: true,
      headers,
      retryAttempts: 0,
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        onRequest?.(init?.method ?? 'GET', typeof init?.body === 'string' ? init.body : undefined);
        return fetch(input, init);
      },
      on: { message: (message) => onMessage?.(message as { event: string; data: any }) },
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    database = await databaseCases[0]!.open();
    app = await startTestApp(testConfig(), database);
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.dispose();
  });
  afterAll(async () => {
    await app?.stop();
    await database?.close();
  });

  it('carries a subscription, a query and a mutation over one reserved stream', async () => {
    const methods: string[] = [];
    const client = singleConnectionClient(admin, (method) => methods.push(method));
    const [ticks, health, created] = await Promise.all([
      run(client, 'subscription { time(intervalMs: 10, count: 3) }'),
      run(client, '{ health { status } }'),
      run(client, 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename } }', { input: { name: 'over sse' } }),
    ]);
    expect(ticks).toHaveLength(3);
    expect(ticks.every((result) => typeof (result.data as any)?.time === 'string')).toBe(true);
    expect(health).toEqual([{ data: { health: { status: 'OK' } } }]);
    expect(created).toEqual([{ data: { createApiKey: { __typename: 'ApiKeyWithSecret' } } }]);
    // One reservation, one stream, one POST per operation.
    expect(methods.filter((method) => method === 'PUT')).toHaveLength(1);
    expect(methods.filter((method) => method === 'GET')).toHaveLength(1);
    expect(methods.filter((method) => method === 'POST')).toHaveLength(3);
  });

  it('reports GraphQL errors on the stream, typed, as results', async () => {
    const client = singleConnectionClient(admin);
    const [invalid] = await run(client, '{ nope }');
    expect(invalid!.errors?.[0]).toMatchObject({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    // Each operation is authorized with the POST's own key, as any request: an inference-only key
    // holds a stream but may not list keys.
    const inference = await app.createKey({ name: 'inference only', scopes: ['INFERENCE'] });
    const limited = singleConnectionClient({ authorization: `Bearer ${inference.secret}` });
    const [forbidden] = await run(limited, '{ apiKeys(first: 1) { edges { node { id } } } }');
    expect(forbidden!.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await run(limited, '{ health { status } }')).toEqual([{ data: { health: { status: 'OK' } } }]);
  });

  it('stops an operation when the client unsubscribes, while the stream carries on', async () => {
    const events: Array<{ event: string; data: any }> = [];
    const operationIds = new Map<string, string>();
    const client = singleConnectionClient(
      admin,
      (_method, body) => {
        if (body) operationIds.set(JSON.parse(body).query, JSON.parse(body).extensions.operationId);
      },
      (message) => events.push(message),
    );
    const stopped = 'subscription Stopped { time(intervalMs: 20) }';
    // A second operation holds the stream open (the client closes an idle stream, which would stop everything).
    const other = run(client, 'subscription Other { time(intervalMs: 20, count: 40) }');
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe(
        { query: stopped },
        {
          next: () => {
            received += 1;
            if (received === 2) {
              unsubscribe();
              resolve();
            }
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    const eventsOf = (query: string) => events.filter((message) => message.event === 'next' && message.data?.id === operationIds.get(query)).length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const afterStop = eventsOf(stopped);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Nothing more arrives for the stopped operation (at 20 ms a tick, ~15 would have); the other one goes on.
    expect(eventsOf(stopped)).toBe(afterStop);
    expect(await other).toHaveLength(40);
  });

  it('refuses a reservation without a valid key, and a token presented with another key', async () => {
    const anonymous = await fetch(app.graphqlUrl, { method: 'PUT' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    const client = singleConnectionClient({});
    await expect(run(client, '{ health { status } }')).rejects.toThrow();

    const reserved = await fetch(app.graphqlUrl, { method: 'PUT', headers: admin });
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    const other = await app.createKey({ name: 'other', scopes: ['ADMIN', 'INFERENCE', 'READ_USAGE'] });
    const stranger = { authorization: `Bearer ${other.secret}`, [TOKEN_HEADER]: token };
    const stolenStream = await fetch(app.graphqlUrl, { headers: { ...stranger, accept: 'text/event-stream' } });
    expect(stolenStream.status).toBe(404);
    const name = `injected-${Date.now()}`;
    const injected = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { ...stranger, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { createApiKey(input: { name: "${name}" }) { __typename } }`, extensions: { operationId: '1' } }),
    });
    expect(injected.status).toBe(404);
    const keys = await app.graphql('{ apiKeys(first: 100) { edges { node { name } } } }');
    expect(keys.data.apiKeys.edges.map((edge: any) => edge.node.name)).not.toContain(name);
  });

  it('keeps CSRF prevention for operations, and GET only opens the stream', async () => {
    const token = await (await fetch(app.graphqlUrl, { method: 'PUT', headers: admin })).text();
    const withToken = { ...admin, [TOKEN_HEADER]: token };
    const name = `csrf-sse-${Date.now()}`;
    const forged = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { ...withToken, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: `mutation { createApiKey(input: { name: "${name}" }) { __typename } }`, extensions: { operationId: '1' } }),
    });
    expect(forged.status).toBe(403);
    const operationOverGet = await fetch(`${app.graphqlUrl}?query=${encodeURIComponent('{ health { status } }')}`, { headers: { ...withToken, accept: 'application/json' } });
    expect(operationOverGet.status).toBe(406);
    const keys = await app.graphql('{ apiKeys(first: 100) { edges { node { name } } } }');
    expect(keys.data.apiKeys.edges.map((edge: any) => edge.node.name)).not.toContain(name);
  });
});
