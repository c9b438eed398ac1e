// Rate limits through Redis cost one round trip on a request's critical path and never a second:
// Redis itself (MONITOR) sees exactly two commands per request for a key and its team (one admission
// script, one settle script, each covering both rules), and the response does not wait for the
// settle's reply (the limiter's connection is made to hold Redis's replies back while it settles).
// (Not rate limits, so not counted here: the router's deployment-health reads come from a local
// mirror off the request path; redis-round-trips-before-upstream.test.ts times the round trips.)
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MeteringAdmission } from '../../src/core/metering/metering-admission.ts';
import { RedisRateLimiter } from '../../src/redis/redis-rate-limiter.ts';
import { isDatabaseUnreachable } from '../../src/db/database-errors.ts';
import { keyCaller } from '../helpers/callers.ts';
import { bearer, eventually } from '../helpers/metering.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';
import { ManualClock } from '../helpers/router-harness.ts';
import { testConfig } from '../helpers/test-app.ts';
import { useTestApp } from '../helpers/use-test-app.ts';

/** The commands clients send Redis whose arguments mention `needle`, as MONITOR reports them (name and arguments). */
async function watchRedis(needle: () => string | null): Promise<{ commands: string[][]; stop(): Promise<void> }> {
  const client = new Redis(testRedisUrl!, { maxRetriesPerRequest: 1 });
  const monitor = await client.monitor();
  const commands: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const wanted = needle();
    // Commands a script runs are reported too, from "lua": only the clients' own count.
    if (source !== 'lua' && wanted !== null && args.some((arg) => arg.includes(wanted))) commands.push(args);
  });
  return {
    commands,
    async stop() {
      monitor.disconnect();
      client.disconnect();
    },
  };
}

describe.runIf(testRedisUrl)('rate limits through Redis: round trips per request', () => {
  markRedisSuiteRan(import.meta.url);
  const { app } = useTestApp({ config: () => testConfig({
        providers: [{ id: 'sim', kind: 'mock', mock: { text: 'ok' } }],
        models: [{ name: 'limited', provider: 'sim', model: 'mock-small', pricing: { input: 1, output: 1 } }],
        redisUrl: testRedisUrl,
      }) });

  it('a REST request of a key with its own and its team\'s limits: one admission script and one settle script, nothing else', async () => {
    const team = await app.graphql('mutation { createTeam(input: { name: "round trips", limits: { rpm: 100, maxParallelRequests: 10 } }) { ... on Team { id } } }');
    const teamId: string = team.data.createTeam.id;
    const key = await app.createKey({ name: 'round trips', teamId, limits: { rpm: 100, tpm: 1_000_000, maxParallelRequests: 5 } });
    let watching: string | null = null;
    const redis = await watchRedis(() => watching);
    try {
      const post = async () => {
        const response = await fetch(`${app.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(key.secret) },
          body: JSON.stringify({ model: 'limited', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-ratelimit-limit-requests')).toBe('100');
        await response.text();
      };
      // The first request may load the scripts (EVALSHA answered NOSCRIPT, then EVAL).
      await post();
      await new Promise((resolve) => setTimeout(resolve, 100));
      watching = key.id;
      for (let i = 0; i < 3; i++) await post();
      await eventually(() => redis.commands.filter((args) => args[0]!.toLowerCase() !== 'publish').length >= 6);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // (The usage feed's PUBLISH names the key too: one per batch of records, after they are written.)
      const perRequest = redis.commands.filter((args) => args[0]!.toLowerCase() !== 'publish');
      expect(perRequest.map((args) => args[0]!.toLowerCase())).toEqual(Array(6).fill('evalsha'));
      // Each names both rules' keys: the key's and the team's.
      for (const args of perRequest) expect(args.some((arg) => arg.includes(teamId))).toBe(true);
    } finally {
      await redis.stop();
    }
  });

  it('the response does not wait for the settle: admission settles while Redis\'s replies are held back', async () => {
    const client = new Redis(testRedisUrl!, { maxRetriesPerRequest: 1 });
    const limiter = new RedisRateLimiter(client, { keyPrefix: `modelgraph-test:${randomUUID()}:` });
    const ledger = { reserve: async () => null, settle: async () => undefined, spend: async () => [] };
    const admission = new MeteringAdmission({ isDatabaseUnreachable, rateLimiter: limiter, ledger, storedBudgets: async () => [], clock: new ManualClock(Date.UTC(2025, 0, 1, 12, 0, 10)) });
    const caller = keyCaller(randomUUID(), 'held replies', { maxParallelRequests: 1 });
    const redis = await watchRedis(() => caller.keyId);
    try {
      // Loads the scripts into Redis, should it not have them yet.
      await (await admission.admit({ caller: keyCaller(randomUUID(), 'warm-up', { maxParallelRequests: 1 }), endUser: null, model: 'm', maxTokens: 1, maxCost: 0n })).settle({ cost: 0n, tokens: 1 });
      const request = { caller, endUser: null, model: 'm', maxTokens: 10, maxCost: 0n };
      const ticket = await admission.admit(request);
      await eventually(() => redis.commands.length === 1);
      // From now on the client reads no reply: a settle that waited for its reply would hang.
      client.stream.pause();
      const settled = await Promise.race([ticket.settle({ cost: 0n, tokens: 3 }).then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 500))]);
      expect(settled).toBe('settled');
      // It was sent, and Redis ran it.
      await eventually(() => redis.commands.length === 2);
      client.stream.resume();
      // The parallel slot is free again: the next request is admitted.
      await (await admission.admit(request)).settle({ cost: 0n, tokens: 1 });
      await admission.drain();
    } finally {
      await redis.stop();
      await limiter.close();
    }
  });
});
