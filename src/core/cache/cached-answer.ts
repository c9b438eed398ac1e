// What the cache keeps of an answer: the normalized final result (text, tool calls, reasoning,
// finish reason, usage), what served it and what it cost, so that a hit can be answered as one
// JSON body or replayed as a stream whatever the original request was. Parsed with a schema on
// the way back: an entry written by another version (or damaged) is a miss, not a crash.
import { z } from 'zod';
import type { ServedBy } from '../requests/metered-request.ts';
import type { ChatResult } from '../types.ts';

export interface CachedServedBy {
  modelName: string;
  deploymentId: string;
  providerId: string;
  upstreamModel: string;
}

export interface CachedChatAnswer {
  kind: 'chat';
  result: ChatResult;
  usageEstimated: boolean;
  served: CachedServedBy;
  /** What the original answer cost, micro-USD as a decimal string. */
  cost: string;
}

export interface CachedEmbeddingsAnswer {
  kind: 'embeddings';
  vectors: number[][];
  usage: { inputTokens: number };
  usageEstimated: boolean;
  served: CachedServedBy;
  cost: string;
}

export type CachedAnswer = CachedChatAnswer | CachedEmbeddingsAnswer;

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cachedInputTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
});

const reasoningBlockSchema = z.union([
  z.object({ type: z.literal('thinking'), text: z.string(), signature: z.string().optional(), family: z.string().optional() }),
  z.object({ type: z.literal('redacted'), data: z.string(), family: z.string().optional() }),
]);

const servedSchema = z.object({ modelName: z.string(), deploymentId: z.string(), providerId: z.string(), upstreamModel: z.string() });

const chatSchema = z.object({
  kind: z.literal('chat'),
  result: z.object({
    id: z.string().nullable(),
    model: z.string().nullable(),
    text: z.string(),
    toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
    reasoning: z.string(),
    reasoningBlocks: z.array(reasoningBlockSchema),
    finishReason: z.object({ unified: z.enum(['STOP', 'LENGTH', 'TOOL_CALLS', 'CONTENT_FILTER', 'ERROR', 'OTHER']), raw: z.string().nullable() }),
    usage: usageSchema,
  }),
  usageEstimated: z.boolean(),
  served: servedSchema,
  cost: z.string().regex(/^\d+$/),
});

const embeddingsSchema = z.object({
  kind: z.literal('embeddings'),
  vectors: z.array(z.array(z.number())),
  usage: z.object({ inputTokens: z.number() }),
  usageEstimated: z.boolean(),
  served: servedSchema,
  cost: z.string().regex(/^\d+$/),
});

const answerSchema = z.discriminatedUnion('kind', [chatSchema, embeddingsSchema]);

/** The stored text as an answer, or null when it is not one (damaged, or of another version). */
export function parseCachedAnswer(text: string): CachedAnswer | null {
  try {
    const parsed = answerSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as CachedAnswer) : null;
  } catch {
    return null;
  }
}

export function cachedServedBy(served: ServedBy): CachedServedBy {
  return { modelName: served.modelName, deploymentId: served.deployment.id, providerId: served.deployment.providerId, upstreamModel: served.deployment.upstreamModel };
}

export function servedByOf(served: CachedServedBy): ServedBy {
  return { modelName: served.modelName, deployment: { id: served.deploymentId, providerId: served.providerId, upstreamModel: served.upstreamModel } };
}

/** A hit's cost: `fraction` of the original cost, rounded down to whole micro-USD. */
export function hitCost(originalCost: bigint, fraction: number): bigint {
  if (!(fraction > 0)) return 0n;
  return (originalCost * BigInt(Math.round(fraction * 1_000_000))) / 1_000_000n;
}

