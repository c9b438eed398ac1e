// /graphql as browsers and hostile clients see it: CSRF prevention, CORS per environment, query
// limits (over HTTP and WebSocket), introspection, error masking and persisted operations.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { sha256Hex } from '../../src/server/persisted-operations.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const HEALTH = '{ health { status } }';
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };

async function startWith(graphql: Partial<AppConfig['graphql']>, server: Partial<AppConfig['server']> = {}): Promise<{ app: TestApp; database: Database }> {
  const database = await databaseCases[0]!.open();
  const base = testConfig();
  const config = testConfig({
    providers: [{ id: 'mock', kind: 'mock', mock: { text: 'ok' } }],
    graphql: { ...base.graphql, ...graphql },
    server: { ...base.server, ...server },
  });
  return { app: await startTestApp(config, database), database };
}

/** A raw request to /graphql: nothing added but what is given. */
function raw(app: TestApp, init: RequestInit & { path?: string } = {}) {
  return fetch(`${app.url}${init.path ?? '/graphql'}`, init);
}

describe('GraphQL endpoint security', () => {
  const started: Array<{ app: TestApp; database: Database }> = [];
  let open: TestApp;
  let strict: TestApp;
  beforeAll(async () => {
    // As in development: CORS for any origin, introspection on, default limits.
    started.push(await startWith({}));
    // As in production without configured origins, with small limits and introspection off.
    started.push(
      await startWith({ maxDepth: 4, maxAliases: 2, maxTokens: 60, maxCost: 40, introspection: false }, { environment: 'production', corsOrigins: [], bodyLimitBytes: 4096 }),
    );
    [open, strict] = started.map((entry) => entry.app) as [TestApp, TestApp];
  });
  afterAll(async () => {
    for (const { app, database } of started) {
      await app.stop();
      await database.close();
    }
  });

  describe('CSRF prevention', () => {
    it('refuses simple requests (text/plain, form posts, GET subscriptions and mutations) without the CSRF header', async () => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const response = await raw(open, { method: 'POST', headers: { 'content-type': contentType, ...auth }, body: JSON.stringify({ query: HEALTH }) });
        expect(response.status, contentType).toBe(403);
        expect(await response.text()).toContain('Required CSRF header');
      }
      // An EventSource opened by another site's page.
      const subscription = await raw(open, {
        path: `/graphql?query=${encodeURIComponent('subscription { time(intervalMs: 10, count: 1) }')}`,
        headers: { accept: 'text/event-stream', ...auth },
      });
      expect(subscription.status).toBe(403);
      expect(await subscription.text()).toContain('Required CSRF header');
      // A mutation over GET is refused with or without the header, and nothing is created.
      const name = `csrf-${Date.now()}`;
      for (const headers of [{}, { 'x-graphql-yoga-csrf': '1' }] as Record<string, string>[]) {
        const mutation = await raw(open, {
          path: `/graphql?query=${encodeURIComponent(`mutation { createApiKey(input: { name: "${name}" }) { __typename } }`)}`,
          headers: { accept: 'application/json', ...auth, ...headers },
        });
        expect([403, 405]).toContain(mutation.status);
      }
      const keys = await open.graphql('{ apiKeys(first: 100) { edges { node { name } } } }');
      expect(keys.data.apiKeys.edges.map((edge: any) => edge.node.name)).not.toContain(name);
    });

    it('accepts JSON posts and GET queries as they are, and GET subscriptions with the x-graphql-yoga-csrf header', async () => {
      const post = await raw(open, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query: HEALTH }) });
      expect(await post.json()).toEqual({ data: { health: { status: 'OK' } } });
      // GraphQL over HTTP's URL-encoded GET: a query changes nothing, so it needs no header.
      const get = await raw(open, { path: `/graphql?query=${encodeURIComponent(HEALTH)}`, headers: { accept: 'application/json', ...auth } });
      expect(get.status).toBe(200);
      expect(await get.json()).toEqual({ data: { health: { status: 'OK' } } });
      const subscription = await raw(open, {
        path: `/graphql?query=${encodeURIComponent('subscription { time(intervalMs: 10, count: 1) }')}`,
        headers: { accept: 'text/event-stream', 'x-graphql-yoga-csrf': '1', ...auth },
      });
      expect(subscription.status).toBe(200);
      expect(await subscription.text()).toContain('event: complete');
    });
  });

  describe('CORS', () => {
    const preflight = (app: TestApp, origin: string) =>
      raw(app, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });

    it('allows any origin in development, without credentials', async () => {
      const response = await preflight(open, 'https://anywhere.example');
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('https://anywhere.example');
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    });

    it('allows only the same origin in production when no origins are configured', async () => {
      const evil = await preflight(strict, 'https://evil.example');
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
      const actual = await raw(strict, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ query: HEALTH }) });
      expect(actual.headers.get('access-control-allow-origin')).toBeNull();
      const same = await preflight(strict, strict.url);
      expect(same.headers.get('access-control-allow-origin')).toBe(strict.url);
    });
  });

  describe('request body limit', () => {
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
          controller.close();
        },
      });
    const post = (body: BodyInit) =>
      raw(strict, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body, duplex: 'half' } as RequestInit);
    const padded = (bytes: number) => JSON.stringify({ query: HEALTH, extensions: { padding: 'x'.repeat(bytes) } });

    it('answers a body over the limit with 413 and a code, whether its length is declared or it comes chunked', async () => {
      for (const response of [await post(padded(5000)), await post(chunked(padded(5000)))]) {
        expect(response.status).toBe(413);
        expect((await response.json()).errors[0]).toMatchObject({ message: 'Request body too large', extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' } });
      }
    });

    it('serves a body within the limit, declared or chunked', async () => {
      for (const response of [await post(padded(3000)), await post(chunked(padded(3000)))]) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: { health: { status: 'OK' } } });
      }
    });

    it('refuses a Content-Length that is not one number', async () => {
      const { request } = await import('node:http');
      const url = new URL(`${strict.url}/graphql`);
      const status = await new Promise<number>((resolve, reject) => {
        const body = JSON.stringify({ query: HEALTH });
        const req = request({ host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json', ...auth, 'content-length': `${body.length}, ${body.length}` } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
      // Node's own parser refuses a duplicated length before yoga sees it.
      expect(status).toBe(400);
    });
  });

  describe('limits', () => {
    const errorOf = async (app: TestApp, query: string) => (await app.graphql(query)).errors?.[0];

    it('refuses too deep, too many aliases, too many tokens and too costly, with a code and the limit', async () => {
      const deep = await errorOf(strict, '{ me { team { members { user { id } } } } }');
      expect(deep).toMatchObject({ message: 'Query depth limit of 4 exceeded, found 5.', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxDepth' } });
      const aliases = await errorOf(strict, '{ a: health { status } b: health { status } c: health { status } }');
      expect(aliases).toMatchObject({ message: 'Aliases limit of 2 exceeded, found 3.', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxAliases' } });
      const tokens = await errorOf(strict, `{ health { ${'status '.repeat(60)} } }`);
      expect(tokens).toMatchObject({ message: 'Token limit of 60 exceeded.', extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxTokens' } });
      // Cost counts objects and scalars, weighted by depth and multiplied by a literal `first`.
      const costly = await errorOf(strict, '{ models(first: 10) { edges { node { id } } } }');
      expect(costly).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'maxCost' } });
      expect(costly.message).toBe('Query Cost limit of 40 exceeded, found 128.75.');
      // Within the limits all is well.
      expect((await strict.graphql('{ me { team { name } } }')).errors).toBeUndefined();
    });

    it('applies the limits to subscriptions over WebSocket, failing the operation and keeping the socket', async () => {
      // Not lazy: one socket for every operation below, which must never close.
      const client = createClient({ url: strict.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, connectionParams: auth });
      let closed = 0;
      client.on('closed', () => closed++);
      await expect(
        subscribeWs(client, 'subscription { usageEvents { key { team { members { user { id } } } } } }'),
      ).rejects.toThrow(/Query depth limit of 4 exceeded/);
      await expect(subscribeWs(client, `subscription { time(intervalMs: 10, count: 1) ${'__typename '.repeat(60)} }`)).rejects.toThrow(/Token limit of 60 exceeded/);
      expect(await subscribeWs(client, 'subscription { time(intervalMs: 10, count: 1) }')).toHaveLength(1);
      expect(closed).toBe(0);
      await client.dispose();
    });

    it('keeps the default limits wide enough for GraphiQL introspection and the test suites', async () => {
      const { getIntrospectionQuery } = await import('graphql');
      const introspection = await open.graphql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
      expect(introspection.errors).toBeUndefined();
      expect(introspection.data.__schema.queryType.name).toBe('Query');
    });
  });

  describe('introspection and suggestions', () => {
    it('answers introspection by default', async () => {
      const response = await open.graphql('{ __schema { queryType { name } } }');
      expect(response.data.__schema.queryType.name).toBe('Query');
      expect((await open.graphql('{ helth { status } }')).errors[0].message).toContain('Did you mean "health"?');
    });

    it('refuses introspection and hides field suggestions when switched off', async () => {
      const response = await strict.graphql('{ __schema { queryType { name } } }');
      expect(response.errors[0].message).toMatch(/introspection has been disabled/);
      const typo = await strict.graphql('{ helth { status } }');
      expect(typo.errors[0].message).not.toContain('health');
      expect((await strict.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    });
  });

  describe('error masking', () => {
    it('masks unexpected errors: no internal message, no stack', async () => {
      const keys = open.app.services.keys;
      const list = keys.list;
      keys.list = async () => {
        throw new Error('connection to 10.1.2.3:5432 failed: password authentication failed for user "modelgraph"');
      };
      try {
        const response = await raw(open, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ query: '{ apiKeys { edges { cursor } } }' }) });
        const text = await response.text();
        expect(JSON.parse(text).errors[0]).toMatchObject({ message: 'Unexpected error.', path: ['apiKeys'] });
        expect(text).not.toMatch(/password|10\.1\.2\.3|stack|originalError|\.ts:/);
      } finally {
        keys.list = list;
      }
    });
  });
});

describe('persisted operations', () => {
  const ALLOWED = 'query Health { health { status } }';
  const LISTED_BY_HASH = 'query Me { me { keyId } }';
  const SUBSCRIPTION = 'subscription Tick { time(intervalMs: 10, count: 2) }';
  const AD_HOC = '{ health { version } }';
  let directory: string;
  let allowlisted: { app: TestApp; database: Database };
  let hashOnly: { app: TestApp; database: Database };
  let open: { app: TestApp; database: Database };

  const withHash = (hash: string, query?: string) => ({ ...(query ? { query } : {}), extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
  const post = (app: TestApp, body: unknown) =>
    raw(app, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as any,
    }));

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'modelgraph-persisted-'));
    const documents = join(directory, 'persisted-documents.json');
    // GraphQL Code Generator writes keys as GraphQL over HTTP document ids ("sha256:<hex>").
    await writeFile(documents, JSON.stringify({ [`sha256:${sha256Hex(ALLOWED)}`]: ALLOWED, [sha256Hex(SUBSCRIPTION)]: SUBSCRIPTION }));
    const hashes = join(directory, 'hashes.json');
    await writeFile(hashes, JSON.stringify([sha256Hex(LISTED_BY_HASH)]));
    allowlisted = await startWith({ persistedOperations: { mode: 'allowlist', file: documents, allowConsole: false } });
    open = await startWith({ persistedOperations: { mode: 'off', file: undefined, allowConsole: true } });
    hashOnly = await startWith({ persistedOperations: { mode: 'allowlist', file: hashes, allowConsole: false } });
  });
  afterAll(async () => {
    for (const started of [allowlisted, open, hashOnly]) {
      await started?.app.stop();
      await started?.database.close();
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('refuses an ad-hoc query in allowlist mode, over HTTP and over WebSocket', async () => {
    const response = await post(allowlisted.app, { query: AD_HOC });
    expect(response.body.errors[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } });
    expect(response.body.data).toBeUndefined();
    const client = wsClient(allowlisted.app.wsUrl);
    await expect(subscribeWs(client, 'subscription { time(intervalMs: 10, count: 1) }')).rejects.toThrow(/PersistedQueryNotInList/);
    // The socket is still usable for an allowed subscription.
    expect(await subscribeWs(client, SUBSCRIPTION)).toHaveLength(2);
    await client.dispose();
  });

  it('runs an allowed operation by its hash alone (APQ extension or documentId) or by its text', async () => {
    const ok = { data: { health: { status: 'OK' } } };
    expect((await post(allowlisted.app, withHash(sha256Hex(ALLOWED)))).body).toEqual(ok);
    expect((await post(allowlisted.app, withHash(`sha256:${sha256Hex(ALLOWED)}`))).body).toEqual(ok);
    expect((await post(allowlisted.app, { documentId: `sha256:${sha256Hex(ALLOWED)}` })).body).toEqual(ok);
    expect((await post(allowlisted.app, { query: ALLOWED })).body).toEqual(ok);
    expect((await post(allowlisted.app, { documentId: `sha256:${sha256Hex(AD_HOC)}` })).body.errors[0].message).toBe('PersistedQueryNotFound');
  });

  it('refuses APQ registration of a document that is not on the list', async () => {
    const unknown = await post(allowlisted.app, withHash(sha256Hex(AD_HOC)));
    expect(unknown.body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const registration = await post(allowlisted.app, withHash(sha256Hex(AD_HOC), AD_HOC));
    expect(registration.status).toBe(403);
    expect(registration.body.errors[0]).toMatchObject({ extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' } });
    expect((await post(allowlisted.app, withHash(sha256Hex(AD_HOC)))).body.errors[0].message).toBe('PersistedQueryNotFound');
  });

  it('learns the text of a hash-only list entry through APQ registration', async () => {
    const hash = sha256Hex(LISTED_BY_HASH);
    expect((await post(hashOnly.app, withHash(hash))).body.errors[0].message).toBe('PersistedQueryNotFound');
    expect((await post(hashOnly.app, withHash(hash, LISTED_BY_HASH))).body).toEqual({ data: { me: { keyId: 'master' } } });
    expect((await post(hashOnly.app, withHash(hash))).body).toEqual({ data: { me: { keyId: 'master' } } });
    expect((await post(hashOnly.app, { query: AD_HOC })).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('supports Automatic Persisted Queries when the mode is off, over POST and GET', async () => {
    const hash = sha256Hex(AD_HOC);
    expect((await post(open.app, withHash(hash))).body.errors[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect((await post(open.app, withHash(hash, AD_HOC))).body.data.health.version).toBeTypeOf('string');
    const extensions = encodeURIComponent(JSON.stringify(withHash(hash).extensions));
    const get = await raw(open.app, { path: `/graphql?extensions=${extensions}`, headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1', ...auth } });
    expect(((await get.json()) as any).data.health.version).toBeTypeOf('string');
    const mismatch = await post(open.app, withHash(sha256Hex('{ other }'), AD_HOC));
    expect(mismatch.body.errors[0]).toMatchObject({ message: 'PersistedQueryMismatch', extensions: { code: 'PERSISTED_QUERY_MISMATCH' } });
    // Ad-hoc queries still run.
    expect((await post(open.app, { query: AD_HOC })).body.data.health.version).toBeTypeOf('string');
  });
});
