// Zod schemas for the client texts the REST edges keep (end-user ids, model names, metadata):
// bounded and storable by the numbers in core/input-limits.ts, so that a 400 names the field
// before anything reaches the database.
import { z } from 'zod';
import { INPUT_LIMITS, boundedTextReason, metadataProblems } from '../../core/input-limits.ts';

/** A string of at most `maxLength` characters without NUL or lone surrogates. */
const bounded = (schema: z.ZodString, maxLength: number) =>
  schema.superRefine((value, context) => {
    const reason = boundedTextReason(value, maxLength);
    if (reason !== null) context.addIssue({ code: 'custom', message: reason });
  });

export const endUserIdSchema = bounded(z.string(), INPUT_LIMITS.endUserLength);
export const modelNameSchema = bounded(z.string().min(1), INPUT_LIMITS.modelNameLength);

/** OpenAI's `metadata`: up to 16 string pairs, keys up to 64 and values up to 512 characters. */
export const metadataSchema = z.record(z.string(), z.string()).superRefine((value, context) => {
  for (const problem of metadataProblems(value)) context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
});
