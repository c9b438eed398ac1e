// Embeddings: one mutation over the EmbeddingService, with the same keys, routing, budgets and
// metering as chat completions, and the same typed-error union.
import type { EmbeddingsOutcome } from '../../core/embedding-service.ts';
import { encodeEmbeddingBase64 } from '../../core/embedding-base64.ts';
import { EMBEDDING_INPUT_TYPES, type EmbeddingUsage } from '../../core/embeddings.ts';
import { GatewayError } from '../../core/errors.ts';
import { INPUT_LIMITS, checkBoundedText } from '../../core/input-limits.ts';
import { builder } from '../builder.ts';
import { serviceScope } from '../context.ts';
import { servedOutcomeFields } from './chat-completion.ts';
import { CacheInput, toCacheDirectives } from './response-cache.ts';

const EmbeddingInputTypeEnum = builder.enumType('EmbeddingInputType', {
  description: 'What the vectors are for; providers with task types (Gemini, Cohere) tune the embedding to it, others ignore it.',
  values: EMBEDDING_INPUT_TYPES,
});

const EmbeddingsInput = builder.inputType('EmbeddingsInput', {
  fields: (t) => ({
    model: t.string({ required: true, description: 'A model name this gateway serves (a configured name or `provider/model`).' }),
    input: t.stringList({ required: true, description: 'The texts to embed; one vector is returned per text, in this order.' }),
    dimensions: t.int({ required: false, description: 'The vector length wanted, for models that can shorten their output.' }),
    inputType: t.field({ type: EmbeddingInputTypeEnum, required: false }),
    user: t.string({ required: false, description: 'End-user id: kept on the usage record and counted against end-user budgets.' }),
    cache: t.field({ type: CacheInput, required: false }),
  }),
});

interface EmbeddingItem {
  index: number;
  vector: number[];
}

const EmbeddingRef = builder.objectRef<EmbeddingItem>('Embedding').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'The position of the input text this vector embeds.' }),
    vector: t.floatList({ resolve: (item) => item.vector }),
    base64: t.string({
      description: "The vector as little-endian float32 values, base64-encoded (OpenAI's encoding_format=base64): a quarter of the size of the Float list.",
      resolve: (item) => encodeEmbeddingBase64(item.vector),
    }),
  }),
});

const EmbeddingUsageRef = builder.objectRef<EmbeddingUsage>('EmbeddingUsage').implement({
  fields: (t) => ({
    inputTokens: t.exposeInt('inputTokens'),
    totalTokens: t.int({ description: 'Equal to inputTokens: embeddings generate no tokens.', resolve: (usage) => usage.inputTokens }),
  }),
});

const EmbeddingsRef = builder.objectRef<EmbeddingsOutcome>('Embeddings').implement({
  fields: (t) => ({
    ...servedOutcomeFields(t),
    data: t.field({ type: [EmbeddingRef], resolve: (outcome) => outcome.vectors.map((vector, index) => ({ index, vector })) }),
    dimensions: t.int({ description: 'The length of every vector.', resolve: (outcome) => outcome.vectors[0]?.length ?? 0 }),
    usage: t.field({ type: EmbeddingUsageRef, resolve: (outcome) => outcome.usage }),
    usageEstimated: t.exposeBoolean('usageEstimated', { description: 'The upstream reported no token count (the Gemini API); it was estimated.' }),
  }),
});

builder.mutationField('createEmbeddings', (t) =>
  t.field({
    type: EmbeddingsRef,
    description: 'Embeds the texts with the model, routed, budgeted and metered like a chat completion.',
    errors: { types: [GatewayError] },
    args: { input: t.arg({ type: EmbeddingsInput, required: true }) },
    authScopes: { inference: true },
    resolve: (_root, { input }, context) => {
      // Kept on usage records and budgets: bounded like the REST edges' (core/input-limits.ts).
      checkBoundedText('model', input.model, INPUT_LIMITS.modelNameLength);
      if (input.user != null) checkBoundedText('user', input.user, INPUT_LIMITS.endUserLength);
      return context.services.embeddings.create(
        {
          model: input.model,
          input: input.input,
          ...(input.dimensions != null ? { dimensions: input.dimensions } : {}),
          ...(input.inputType != null ? { inputType: input.inputType } : {}),
          ...(input.user != null ? { user: input.user } : {}),
          ...(input.cache ? { cache: toCacheDirectives(input.cache)! } : {}),
          ...serviceScope(context),
        },
        context.signal,
      );
    },
  }),
);
