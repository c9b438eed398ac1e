// The `log` section of the config (LOG_LEVEL overrides its level).
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevelSchema = z.enum(LOG_LEVELS, { error: (issue) => `expected one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(issue.input)}` });

/** Structured logs (README, "Logs"). */
export const logSchema = z
  .object({
    /** LOG_LEVEL overrides it. */
    level: logLevelSchema.default('info'),
    /** `auto`: human-readable when stdout is a terminal, JSON lines otherwise. */
    format: z.enum(['auto', 'json', 'pretty']).default('auto'),
    /** Debugging only: the access log carries each request's body (prompts included), credentials redacted. */
    bodies: z.boolean().default(false),
  })
  .strict();
