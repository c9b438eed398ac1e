// Redis on a request's critical path: one round trip before the upstream call, not two (issue
// #18). Redis is reached through a proxy that, once the app is warm, holds each of its replies back
// for DELAY_MS, so each round trip a request waits for adds DELAY_MS to the time from its admission
// script reaching Redis (MONITOR) to its upstream request reaching the simulator (long enough that a
// busy machine's own delays do not look like a round trip): a rate-limited key's request waits for
// its admission script (one round trip) and nothing else. The router's read of the shared
// deployment health, which used to be a second round trip, now comes from the local mirror.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '../helpers/metering.ts';
import { markRedisSuiteRan, testRedisUrl } from '../helpers/redis-suite.ts';
import { testConfig } from '../helpers/test-app.ts';
import { useSimulator } from '../helpers/use-simulator.ts';
import { useTestApp } from '../helpers/use-test-app.ts';
import { startOpenAISimulator } from '../providers/openai-simulator.ts';

const DELAY_MS = 250;

interface DelayingProxy {
  url: string;
  /** From now on, everything the server sends is held back this long (in order). */
  delayMs: number;
  close(): Promise<void>;
}

/** A TCP proxy to `target` that can delay what the server sends. */
async function startDelayingProxy(target: URL): Promise<DelayingProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (proxy.delayMs === 0) client.write(chunk);
      else setTimeout(() => client.writable && client.write(chunk), proxy.delayMs);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const proxy: DelayingProxy = {
    url: `redis://127.0.0.1:${port}`,
    delayMs: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}

describe.runIf(testRedisUrl)('Redis round trips before the upstream call', () => {
  markRedisSuiteRan(import.meta.url);
  const upstream = useSimulator(startOpenAISimulator);
  let proxy: DelayingProxy;
  const upstreamArrivals: number[] = [];
  beforeAll(async () => {
    proxy = await startDelayingProxy(new URL(testRedisUrl!));
    upstream.setScenario(() => {
      upstreamArrivals.push(Date.now());
      return { kind: 'text', chunks: ['ok'], usage: { input: 1, output: 1 } };
    });
  });
  afterAll(async () => {
    await proxy?.close();
  });
  const { app } = useTestApp({
    config: () =>
      testConfig({
        providers: [{ id: 'sim', kind: 'openai', baseUrl: upstream.baseUrl, apiKey: 'sk-test' }],
        models: [{ name: 'limited', provider: 'sim', model: 'gpt-4o-mini', pricing: { input: 1, output: 1 } }],
        redisUrl: proxy.url,
      }),
  });

  it('a rate-limited request waits for one Redis round trip (its admission), not for a deployment-health read as well', async () => {
    const key = await app.createKey({ name: 'round trips', limits: { rpm: 1000 } });
    const post = async (): Promise<void> => {
      const response = await fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(key.secret) },
        body: JSON.stringify({ model: 'limited', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }),
      });
      expect(response.status).toBe(200);
      await response.text();
    };
    // The first request loads the scripts and reads the deployments' health before routing.
    await post();
    proxy.delayMs = DELAY_MS;
    // When each admission script reaches Redis (its clock: the same machine's).
    const client = new Redis(testRedisUrl!, { maxRetriesPerRequest: 1 });
    const monitor = await client.monitor();
    const admissions: number[] = [];
    monitor.on('monitor', (time: string, args: string[], source: string) => {
      if (source !== 'lua' && args[0]?.toLowerCase() === 'evalsha' && args.some((arg) => arg.includes(key.id)) && args.includes('1000')) admissions.push(Number(time) * 1000);
    });
    upstreamArrivals.length = 0;
    try {
      for (let i = 0; i < 3; i++) await post();
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
    expect(admissions).toHaveLength(3);
    expect(upstreamArrivals).toHaveLength(3);
    const waits = admissions.map((at, i) => upstreamArrivals[i]! - at);
    // The admission script's round trip is waited for, and no second one.
    expect(waits.map((wait) => Math.floor(wait / DELAY_MS)), `admission to upstream: ${waits.map(Math.round).join(', ')} ms`).toEqual([1, 1, 1]);
  });
});
