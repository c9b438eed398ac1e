// The failed-authentication limiter throttles failures only: bad keys from one address never lock
// out a valid key from that address (before, 20 bad keys made even the master key get 429). The
// client address is the socket's peer; X-Forwarded-For is believed only from configured proxies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeWs, wsClient } from '../helpers/graphql-streams.ts';
import { startTestApp, testConfig, TEST_ADMIN_KEY, type TestApp } from '../helpers/test-app.ts';

const ME = '{ me { keyId } }';
const MAX_FAILURES = 5;
const badKey = (i: number) => `mg-wrong-${i}-00000000000000000000000000000000`;
const codeOf = (response: { errors?: any[] }) => response.errors?.[0]?.extensions?.code as string | undefined;

function limiterConfig(trustProxy: string[] = []): AppConfig {
  const base = testConfig();
  return testConfig({ auth: { ...base.auth, maxFailedAttemptsPerMinute: MAX_FAILURES }, server: { ...base.server, trustedProxies: trustProxy } });
}

describe('the failed-authentication limiter', () => {
  let database: Database;
  let app: TestApp | undefined;

  beforeAll(async () => {
    database = await databaseCases[0]!.open();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
  });
  afterAll(async () => {
    await database?.close();
  });

  it('throttles the bad keys of an address but always admits its valid keys, over GraphQL, REST and WebSocket', async () => {
    app = await startTestApp(limiterConfig(), database);
    const { secret } = await app.createKey({ name: 'valid', scopes: ['INFERENCE', 'READ_USAGE'] });
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < MAX_FAILURES + 3; i++) codes.push(codeOf(await app.graphql(ME, {}, { authorization: `Bearer ${badKey(i)}` })));
    expect(codes).toEqual([...Array(MAX_FAILURES).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    const limited = await app.graphql(ME, {}, { authorization: `Bearer ${badKey(99)}` });
    expect(limited.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    const rest = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${badKey(100)}` } });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await rest.json()).error.type).toBe('rate_limit_error');

    // From the same address, now throttled: the master key and a virtual key are admitted everywhere.
    expect((await app.graphql(ME)).data.me.keyId).toBe('master');
    expect((await app.graphql(ME, {}, { authorization: `Bearer ${secret}` })).data.me.keyId).toBeTruthy();
    expect((await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    expect((await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } })).status).toBe(200);
    const client = wsClient(app.wsUrl, { authorization: `Bearer ${secret}` });
    try {
      expect(await subscribeWs(client, 'subscription { time(intervalMs: 10, count: 1) }')).toHaveLength(1);
    } finally {
      await client.dispose();
    }
    // And the bad keys stay throttled.
    expect(codeOf(await app.graphql(ME, {}, { authorization: `Bearer ${badKey(101)}` }))).toBe('RATE_LIMITED');
  });

  it('ignores X-Forwarded-For unless the peer is a configured proxy: a client cannot escape by forging it', async () => {
    app = await startTestApp(limiterConfig(), database);
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect(codeOf(await app.graphql(ME, {}, { authorization: `Bearer ${badKey(i)}`, 'x-forwarded-for': `203.0.113.${i + 1}` }))).toBe('UNAUTHENTICATED');
    }
    expect(codeOf(await app.graphql(ME, {}, { authorization: `Bearer ${badKey(50)}`, 'x-forwarded-for': '203.0.113.99' }))).toBe('RATE_LIMITED');
  });

  it('behind trusted proxies, counts each client named by X-Forwarded-For apart, believing only the hops the proxies added', async () => {
    // The test's requests come from 127.0.0.1: that is the proxy here.
    app = await startTestApp(limiterConfig(['127.0.0.0/8']), database);
    const from = (forwardedFor: string, i: number) => app!.graphql(ME, {}, { authorization: `Bearer ${badKey(i)}`, 'x-forwarded-for': forwardedFor });
    for (let i = 0; i < MAX_FAILURES; i++) expect(codeOf(await from('203.0.113.7', i))).toBe('UNAUTHENTICATED');
    expect(codeOf(await from('203.0.113.7', 10))).toBe('RATE_LIMITED');
    // Another client behind the same proxy is not throttled...
    expect(codeOf(await from('203.0.113.8', 11))).toBe('UNAUTHENTICATED');
    // ...and the throttled one cannot pass for another by prepending an address of its choice.
    expect(codeOf(await from('198.51.100.1, 203.0.113.7', 12))).toBe('RATE_LIMITED');
    // Over REST as well.
    const rest = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${badKey(13)}`, 'x-forwarded-for': '203.0.113.7' } });
    expect(rest.status).toBe(429);
    const otherClient = await fetch(`${app.url}/v1/models`, { headers: { authorization: `Bearer ${badKey(14)}`, 'x-forwarded-for': '203.0.113.9' } });
    expect(otherClient.status).toBe(401);
    // The master key from the throttled client is admitted.
    expect((await app.graphql(ME, {}, { 'x-forwarded-for': '203.0.113.7' })).data.me.keyId).toBe('master');
  });
});

describe('configuration of the limiter and the key cache', () => {
  const load = (yaml: string) => {
    const cwd = mkdtempSync(join(tmpdir(), 'mg-config-'));
    writeFileSync(join(cwd, 'modelgraph.yaml'), yaml);
    return loadConfig({ cwd, env: {} });
  };

  it('reads server.trustProxy (addresses and CIDR ranges) and auth.keyCacheTtlSeconds, with safe defaults', () => {
    const defaults = load('{}');
    expect(defaults.server.trustedProxies).toEqual([]);
    expect(defaults.auth.keyCacheTtlSeconds).toBe(30);
    const set = load('server: { trustProxy: ["10.0.0.0/8", "::1", "192.168.1.4"] }\nauth: { keyCacheTtlSeconds: 5 }\n');
    expect(set.server.trustedProxies).toEqual(['10.0.0.0/8', '::1', '192.168.1.4']);
    expect(set.auth.keyCacheTtlSeconds).toBe(5);
    expect(load('server: { trustProxy: false }\n').server.trustedProxies).toEqual([]);
  });

  it('names a trustProxy entry that is not an address or range', () => {
    try {
      load('server: { trustProxy: ["10.0.0.0/8", "proxy.internal", "10.0.0.0/33"] }\n');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toContainEqual(expect.stringMatching(/^server\.trustProxy\[1\]: an IP address or a CIDR range/));
      expect(problems).toContainEqual(expect.stringMatching(/^server\.trustProxy\[2\]: an IP address or a CIDR range/));
    }
  });
});
