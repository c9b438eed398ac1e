// The `models`, `routerDefaults` and `router.groups` sections of the config: deployments and their routing.
import { z } from 'zod';
import { ROUTER_ERROR_CODES, ROUTING_STRATEGIES } from '../core/router/router-settings.ts';

export const priceSchema = z
  .object({
    input: z.number().nonnegative().optional(),
    output: z.number().nonnegative().optional(),
    cacheRead: z.number().nonnegative().optional(),
    cacheWrite: z.number().nonnegative().optional(),
    /** One-hour cache writes (Anthropic); falls back to cacheWrite. */
    cacheWrite1h: z.number().nonnegative().optional(),
  })
  .strict();

export const modelSchema = z
  .object({
    name: z.string().min(1),
    provider: z.string().min(1),
    model: z.string().min(1),
    weight: z.number().positive().optional(),
    priority: z.number().int().optional(),
    timeoutMs: z.number().int().positive().optional(),
    /** Prices in USD per 1M tokens; override the catalog's. */
    pricing: priceSchema.optional(),
    contextLength: z.number().int().positive().optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    /** Requests and tokens per minute this deployment may take. */
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    tags: z.array(z.string().min(1)).optional(),
    region: z.string().min(1).optional(),
  })
  .strict();

/** A model group's routing (router.groups.<name>) or every group's (routerDefaults); see core/router/router-settings.ts. */
export const routerGroupSchema = z
  .object({
    strategy: z.enum(ROUTING_STRATEGIES).optional(),
    fallbacks: z.array(z.string().min(1)).optional(),
    contextWindowFallbacks: z.array(z.string().min(1)).optional(),
    contentPolicyFallbacks: z.array(z.string().min(1)).optional(),
    retries: z.partialRecord(z.enum(ROUTER_ERROR_CODES), z.number().int().nonnegative()).optional(),
    fallbackOn: z.partialRecord(z.enum(ROUTER_ERROR_CODES), z.boolean()).optional(),
    backoff: z.object({ initialMs: z.number().int().nonnegative().optional(), maxMs: z.number().int().nonnegative().optional() }).strict().optional(),
    cooldown: z
      .object({
        failures: z.number().int().positive().optional(),
        windowMs: z.number().int().positive().optional(),
        cooldownMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().optional(),
        firstTokenMs: z.number().int().positive().optional(),
        idleMs: z.number().int().positive().optional(),
        totalMs: z.number().int().positive().optional(),
        requestMs: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ModelConfig = z.infer<typeof modelSchema>;
export type PriceConfig = z.infer<typeof priceSchema>;
export type RouterGroupConfig = z.infer<typeof routerGroupSchema>;
