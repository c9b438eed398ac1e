// The Embeddings request body (OpenAI API reference, "Create embeddings"). Only the fields the
// gateway reads are declared; others are dropped. Every optional field also takes null, which SDKs
// send for "unset". Token-array inputs are refused by the endpoint with their own message.
import { z } from 'zod';

export const openAIEmbeddingsRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().positive().nullish(),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  user: z.string().nullish(),
});

export type OpenAIEmbeddingsRequest = z.infer<typeof openAIEmbeddingsRequestSchema>;
