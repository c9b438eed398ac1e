// EmbeddingsOutcome -> the Embeddings response (OpenAI API reference, "The embedding object"), with
// OpenRouter's `cost` in USD beside the usage, as chat completions carry it.
import { encodeEmbeddingBase64 } from '../../core/embedding-base64.ts';
import type { EmbeddingsOutcome } from '../../core/embedding-service.ts';
import { microToUsdNumber } from './convert-usage-to-openai.ts';

export function buildOpenAIEmbeddingsResponse(outcome: EmbeddingsOutcome, encoding: 'float' | 'base64') {
  return {
    object: 'list' as const,
    data: outcome.vectors.map((vector, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'base64' ? encodeEmbeddingBase64(vector) : vector,
    })),
    model: outcome.model,
    usage: {
      prompt_tokens: outcome.usage.inputTokens,
      total_tokens: outcome.usage.inputTokens,
      cost: microToUsdNumber(outcome.cost),
    },
  };
}
