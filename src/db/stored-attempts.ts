// A usage event's `attempts` column, parsed back into the core's Attempt. Rows written before an
// attempt recorded its upstream status, retry number and backoff lack those fields: they read as
// null and 0, which is what such an attempt was (a first-round attempt without a wait).
import { z } from 'zod';
import { ERROR_CODES } from '../core/errors.ts';
import type { Attempt } from '../core/requests/attempt.ts';

const storedAttempt = z.object({
  deploymentId: z.string(),
  modelName: z.string(),
  providerId: z.string(),
  upstreamModel: z.string(),
  errorCode: z.enum(ERROR_CODES).nullable(),
  errorMessage: z.string().nullable(),
  upstreamStatus: z.number().nullable().default(null),
  latencyMs: z.number(),
  retry: z.number().default(0),
  backoffMs: z.number().default(0),
  responseId: z.string().nullable().optional(),
  finishReason: z.string().nullable().optional(),
});

const storedAttempts = z.array(storedAttempt);

export function parseStoredAttempts(stored: unknown): Attempt[] {
  return storedAttempts.parse(stored) satisfies Attempt[];
}
