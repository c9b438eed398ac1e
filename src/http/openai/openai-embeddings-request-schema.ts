// The Embeddings request body (OpenAI API reference, "Create embeddings"). Only the fields the
// gateway reads are declared; others are dropped. Every optional field also takes null, which SDKs
// send for "unset". Token-array inputs are refused by the endpoint with their own message.
import { z } from 'zod';
import { endUserIdSchema, modelNameSchema } from '../shared/bounded-text-schema.ts';

export const openAIEmbeddingsRequestSchema = z.object({
  model: modelNameSchema,
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().positive().nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: endUserIdSchema.nullish(),
});

export type OpenAIEmbeddingsRequest = z.infer<typeof openAIEmbeddingsRequestSchema>;
