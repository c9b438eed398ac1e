// The benchmark's cache-hit target: REST only, the master key plus a TTL header (the bench body
// is not deterministic, so only a request that asks is cached), in the workloads of its goals.
import { describe, expect, it } from 'vitest';
import { cacheHitCaller, modelgraphRoutes } from '../../bench/plan.ts';

describe('cacheHitCaller', () => {
  it('adds one non-streaming REST route, rest+cache, that asks for a TTL in the workloads of the cache goals only', () => {
    const routes = modelgraphRoutes('http://127.0.0.1:9', 42, cacheHitCaller({ authorization: 'Bearer admin' }));
    expect(routes.map((route) => route.id)).toEqual(['rest+cache']);
    const [route] = routes;
    expect(route!.label).toBe('modelgraph REST /v1/chat/completions, cache hit');
    expect(route!.workloads).toEqual(['requests-64', 'rate-200', 'rate-1000']);
    expect(route!.requests!.headers).toMatchObject({ authorization: 'Bearer admin', 'x-modelgraph-cache-ttl': '300' });
    expect(route!.streams).toBeUndefined();
  });
});
