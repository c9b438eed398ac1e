// Rate limits shared by every instance through Redis. Admission is one Lua script (atomic): it
// checks every rule of the request (key and team) and counts the request only if all admit it, so
// instances together never admit more than a limit. Counters live per fixed minute window and
// expire on their own; requests in flight are a sorted set of leases scored by their expiry, so a
// crashed instance's leases lapse instead of holding slots forever. Same semantics as the
// in-memory limiter (core/metering/rate-limits.ts). When Redis fails, this instance falls back to
// its own in-memory limits rather than refusing or failing requests.
//
// Round trips: a request costs one on its critical path (the admission script, all rules at once)
// and one more off it (the settle script, all rules at once, sent before the response goes out but
// not waited for; commands on one connection run in order, so this instance's next admission
// already sees it).
import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import {
  InMemoryRateLimiter,
  rateLimitedError,
  statusOf,
  windowOf,
  type RateLimiter,
  type RateLimitLease,
  type RefusalReason,
} from '../core/metering/rate-limits.ts';
import type { RateLimitRule } from '../core/metering/rate-limit-status.ts';
import type { Logger } from '../core/ports.ts';

// KEYS: per rule, requests counter, tokens counter, in-flight set. ARGV: now, tokens, lease id,
// lease expiry, then per rule rpm, tpm, max parallel (-1 = no limit).
// Returns {1, requests1, tokens1, requests2, tokens2, ...} or {0, rule index, reason, requests, tokens}.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[2])
local rules = #KEYS / 3
for i = 0, rules - 1 do
  local rpm = tonumber(ARGV[5 + i * 3])
  local tpm = tonumber(ARGV[6 + i * 3])
  local parallel = tonumber(ARGV[7 + i * 3])
  local requests = tonumber(redis.call('GET', KEYS[i * 3 + 1]) or '0')
  local spent = tonumber(redis.call('GET', KEYS[i * 3 + 2]) or '0')
  if rpm >= 0 and requests + 1 > rpm then return { 0, i, 1, requests, spent } end
  if tpm >= 0 and spent > 0 and spent + tokens > tpm then return { 0, i, 2, requests, spent } end
  if parallel >= 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[i * 3 + 3], '-inf', now)
    if redis.call('ZCARD', KEYS[i * 3 + 3]) + 1 > parallel then return { 0, i, 3, requests, spent } end
  end
end
local result = { 1 }
for i = 0, rules - 1 do
  local requests = redis.call('INCR', KEYS[i * 3 + 1])
  redis.call('PEXPIRE', KEYS[i * 3 + 1], 120000)
  local spent = redis.call('INCRBY', KEYS[i * 3 + 2], tokens)
  redis.call('PEXPIRE', KEYS[i * 3 + 2], 120000)
  if tonumber(ARGV[7 + i * 3]) >= 0 then
    redis.call('ZADD', KEYS[i * 3 + 3], tonumber(ARGV[4]), ARGV[3])
    redis.call('PEXPIRE', KEYS[i * 3 + 3], tonumber(ARGV[4]) - now)
  end
  table.insert(result, requests)
  table.insert(result, spent)
end
return result
`;

// KEYS: per rule, requests counter, tokens counter, in-flight set. ARGV: request correction (0 when
// settling, -1 when releasing a refused request), token correction, lease id.
const SETTLE = `
for rule = 0, #KEYS / 3 - 1 do
  for i = 1, 2 do
    local key = KEYS[rule * 3 + i]
    local correction = tonumber(ARGV[i])
    if correction ~= 0 and redis.call('EXISTS', key) == 1 then
      local left = redis.call('INCRBY', key, correction)
      if left < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
    end
  end
  redis.call('ZREM', KEYS[rule * 3 + 3], ARGV[3])
end
return 0
`;

interface ScriptCommands {
  modelgraphAcquireRateLimits(...args: Array<string | number>): Promise<number[]>;
  modelgraphSettleRateLimits(...args: Array<string | number>): Promise<number>;
}

const REASONS: Record<number, RefusalReason> = { 1: 'rpm', 2: 'tpm', 3: 'parallel' };
/** How long an instance limits on its own after Redis failed, before trying Redis again. */
const RETRY_REDIS_MS = 5000;
/** A lease older than this is considered abandoned (its instance died). */
const LEASE_MS = 15 * 60_000;

export interface RedisRateLimiterOptions {
  keyPrefix?: string;
  logger?: Logger;
}

export class RedisRateLimiter implements RateLimiter {
  private readonly prefix: string;
  private readonly scripts: ScriptCommands;
  private readonly fallback = new InMemoryRateLimiter();
  /** After a Redis failure, requests use the fallback until then instead of waiting on Redis again. */
  private unavailableUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'modelgraph:limits:';
    redis.defineCommand('modelgraphAcquireRateLimits', { lua: ACQUIRE });
    redis.defineCommand('modelgraphSettleRateLimits', { lua: SETTLE });
    this.scripts = redis as unknown as ScriptCommands;
  }

  private keys(rule: RateLimitRule, window: number) {
    const tag = `${this.prefix}{${rule.id}}`;
    return { requests: `${tag}:requests:${window}`, tokens: `${tag}:tokens:${window}`, inFlight: `${tag}:inflight` };
  }

  async acquire(rules: readonly RateLimitRule[], tokens: number, now: number): Promise<RateLimitLease> {
    const window = windowOf(now);
    const lease = randomUUID();
    const keys = rules.flatMap((rule) => {
      const k = this.keys(rule, window);
      return [k.requests, k.tokens, k.inFlight];
    });
    const limits = rules.flatMap((rule) => [rule.rpm ?? -1, rule.tpm ?? -1, rule.maxParallel ?? -1]);
    if (Date.now() < this.unavailableUntil) return this.fallback.acquire(rules, tokens, now);
    let result: number[];
    try {
      result = await this.scripts.modelgraphAcquireRateLimits(keys.length, ...keys, now, tokens, lease, now + LEASE_MS, ...limits);
    } catch (error) {
      this.options.logger?.warn(`metering: Redis rate limits unavailable for ${RETRY_REDIS_MS / 1000} s, limiting per instance: ${(error as Error).message}`);
      this.unavailableUntil = Date.now() + RETRY_REDIS_MS;
      return this.fallback.acquire(rules, tokens, now);
    }
    if (result[0] === 0) {
      const rule = rules[result[1]!]!;
      throw rateLimitedError(rule, REASONS[result[2]!]!, { requests: result[3]!, tokens: result[4]! }, now);
    }
    const statuses = rules.map((rule, index) => statusOf(rule, { requests: result[1 + index * 2]!, tokens: result[2 + index * 2]! }, now));
    let settled = false;
    const end = async (actualTokens: number, requests: number) => {
      if (settled) return;
      settled = true;
      await this.scripts.modelgraphSettleRateLimits(keys.length, ...keys, requests, actualTokens - tokens, lease);
    };
    return {
      statuses,
      settle: (actualTokens) => end(actualTokens, 0),
      release: () => end(0, -1),
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export function createRedisRateLimiter(url: string, options: RedisRateLimiterOptions & { redis?: RedisOptions } = {}): RedisRateLimiter {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, enableAutoPipelining: true, ...options.redis });
  redis.on('error', () => undefined);
  return new RedisRateLimiter(redis, options);
}

