// The `cache` section of the config (README, "Response cache"); read by config.ts.
import { z } from 'zod';

export const cacheConfigSchema = z
  .object({
    /** Off by default: nothing is cached, whatever requests ask. */
    enabled: z.boolean().default(false),
    /** TTL of deterministic requests (temperature 0 or a seed) that give none; absent: only requests that give one are cached. */
    defaultTtlSeconds: z.number().int().positive().optional(),
    /** The longest TTL a request may ask for. */
    maxTtlSeconds: z.number().int().positive().default(86_400),
    /** One cache for every team (off: each team, or key without a team, has its own). */
    sharedAcrossTeams: z.boolean().default(false),
    /** Answers larger than this (stored JSON) are not stored. */
    maxEntryBytes: z.number().int().positive().default(1024 * 1024),
    /** The store keeps its total within this, deleting the oldest entries first. */
    maxTotalBytes: z.number().int().positive().default(256 * 1024 * 1024),
    /** A hit costs this fraction of the original answer's cost (0 to 1; default 0: nothing). */
    hitCostFraction: z.number().min(0).max(1).default(0),
    /** A store slower than this is a miss. */
    storeTimeoutMs: z.number().int().positive().default(250),
    /** How long an identical request waits for one in flight (coalescing) before making its own call. */
    coalesceWaitMs: z.number().int().nonnegative().default(60_000),
    /**
     * Answers each instance also keeps in memory, parsed: a repeated request costs no store round
     * trip. 0 turns this off. An answer stays at most `memoryMaxAgeMs` (and never past its TTL), the
     * longest a purge made on another instance takes to reach this one.
     */
    memoryEntries: z.number().int().nonnegative().default(1000),
    memoryMaxAgeMs: z.number().int().nonnegative().default(5000),
    /** Where entries live: `auto` is Redis when REDIS_URL is set, else the database. */
    store: z.enum(['auto', 'database', 'redis']).default('auto'),
  })
  .strict();

export type CacheConfig = z.infer<typeof cacheConfigSchema>;
