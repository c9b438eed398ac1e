// The router's breaker and usage state in Redis, so every gateway instance skips a deployment that
// any of them saw failing, and rpm/tpm caps hold across instances. Each change is one Lua script
// (atomic); reads are one pipeline per group, and the router reads through a local mirror
// (mirrored-deployment-health-store.ts). Keys of one deployment share a hash tag, so the
// scripts also work on Redis Cluster. Semantics match InMemoryDeploymentHealthStore (one
// conformance suite runs both).
import { Redis, type RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { healthy, minuteOf, type DeploymentHealth, type DeploymentHealthStore, type HealthQuery } from '../core/router/deployment-health-store.ts';
import type { CooldownPolicy } from '../core/router/router-settings.ts';
import { MirroredDeploymentHealthStore, type MirrorOptions } from './mirrored-deployment-health-store.ts';

const RECORD_FAILURE = `
local now = tonumber(ARGV[1])
local cooldown = tonumber(ARGV[4])
local function open()
  redis.call('HSET', KEYS[1], 'cooledUntil', now + cooldown)
  redis.call('HDEL', KEYS[1], 'probeUntil')
  redis.call('DEL', KEYS[2])
  redis.call('PEXPIRE', KEYS[1], cooldown + 86400000)
end
local cooled = redis.call('HGET', KEYS[1], 'cooledUntil')
if cooled then
  if tonumber(cooled) <= now then open() end
  return 0
end
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
redis.call('PEXPIRE', KEYS[2], window)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then
  open()
  return 1
end
return 0
`;

const RECORD_SUCCESS = `
local cooled = redis.call('HGET', KEYS[1], 'cooledUntil')
if cooled and tonumber(cooled) <= tonumber(ARGV[1]) then redis.call('DEL', KEYS[1], KEYS[2]) end
return 0
`;

const CLAIM_PROBE = `
local state = redis.call('HMGET', KEYS[1], 'cooledUntil', 'probeUntil')
local now = tonumber(ARGV[1])
if not state[1] or tonumber(state[1]) > now then return 0 end
if state[2] and tonumber(state[2]) > now then return 0 end
redis.call('HSET', KEYS[1], 'probeUntil', now + tonumber(ARGV[2]))
return 1
`;

interface ScriptCommands {
  modelgraphRecordFailure(health: string, failures: string, now: number, windowMs: number, threshold: number, cooldownMs: number, member: string): Promise<number>;
  modelgraphRecordSuccess(health: string, failures: string, now: number): Promise<number>;
  modelgraphClaimProbe(health: string, now: number, leaseMs: number): Promise<number>;
}

export interface RedisHealthStoreOptions {
  /** Prepended to every key (default `modelgraph:router:`); tests use their own. */
  keyPrefix?: string;
}

const number = (value: string | null | undefined): number | null => (value == null ? null : Number(value));

export class RedisDeploymentHealthStore implements DeploymentHealthStore {
  private readonly prefix: string;
  private readonly scripts: ScriptCommands;

  constructor(
    private readonly redis: Redis,
    options: RedisHealthStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'modelgraph:router:';
    redis.defineCommand('modelgraphRecordFailure', { numberOfKeys: 2, lua: RECORD_FAILURE });
    redis.defineCommand('modelgraphRecordSuccess', { numberOfKeys: 2, lua: RECORD_SUCCESS });
    redis.defineCommand('modelgraphClaimProbe', { numberOfKeys: 1, lua: CLAIM_PROBE });
    this.scripts = redis as unknown as ScriptCommands;
  }

  private keys(id: string, minute?: number) {
    const tag = `${this.prefix}{${id}}`;
    return { health: `${tag}:health`, failures: `${tag}:failures`, usage: `${tag}:usage:${minute ?? 0}` };
  }

  async read(queries: readonly HealthQuery[], now: number): Promise<DeploymentHealth[]> {
    if (queries.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { id, windowMs } of queries) {
      const keys = this.keys(id, minuteOf(now));
      pipeline.hmget(keys.health, 'cooledUntil', 'probeUntil');
      pipeline.zcount(keys.failures, `(${now - windowMs}`, '+inf');
      pipeline.hmget(keys.usage, 'requests', 'tokens');
    }
    const results = (await pipeline.exec()) ?? [];
    return queries.map((_, index) => {
      const [healthError, state] = results[index * 3] ?? [];
      const [, failures] = results[index * 3 + 1] ?? [];
      const [, usage] = results[index * 3 + 2] ?? [];
      if (healthError) return healthy();
      const [cooledUntil, probeUntil] = (state as Array<string | null>) ?? [];
      const [requests, tokens] = (usage as Array<string | null>) ?? [];
      return {
        failuresInWindow: Number(failures ?? 0),
        cooledUntil: number(cooledUntil),
        probeUntil: number(probeUntil),
        requestsThisMinute: number(requests) ?? 0,
        tokensThisMinute: number(tokens) ?? 0,
      };
    });
  }

  async recordFailure(id: string, now: number, policy: CooldownPolicy): Promise<void> {
    const keys = this.keys(id);
    await this.scripts.modelgraphRecordFailure(keys.health, keys.failures, now, policy.windowMs, policy.failures, policy.cooldownMs, `${now}:${randomUUID()}`);
  }

  async recordSuccess(id: string, now: number): Promise<void> {
    const keys = this.keys(id);
    await this.scripts.modelgraphRecordSuccess(keys.health, keys.failures, now);
  }

  async claimProbe(id: string, now: number, leaseMs: number): Promise<boolean> {
    return (await this.scripts.modelgraphClaimProbe(this.keys(id).health, now, leaseMs)) === 1;
  }

  async recordUsage(id: string, now: number, requests: number, tokens: number): Promise<void> {
    const key = this.keys(id, minuteOf(now)).usage;
    const pipeline = this.redis.pipeline();
    if (requests !== 0) pipeline.hincrby(key, 'requests', requests);
    if (tokens !== 0) pipeline.hincrby(key, 'tokens', tokens);
    pipeline.pexpire(key, 120_000);
    await pipeline.exec();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * Connects to `url`, read through a local mirror (mirrored-deployment-health-store.ts) so routing
 * costs no round trip of its own. Commands give up quickly when Redis is slow or down; the router
 * then routes without shared health rather than failing requests.
 */
export function createRedisDeploymentHealthStore(url: string, options: RedisHealthStoreOptions & { redis?: RedisOptions; mirror?: MirrorOptions } = {}): MirroredDeploymentHealthStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, enableAutoPipelining: true, ...options.redis });
  // Connection errors are retried by ioredis; without a listener they would crash the process.
  redis.on('error', () => undefined);
  return new MirroredDeploymentHealthStore(new RedisDeploymentHealthStore(redis, options), options.mirror);
}
