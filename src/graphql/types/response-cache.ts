// The response cache in the schema: the `cache` input of chat completions and embeddings, the
// CacheStatus of their results, and the admin purge.
import type { CacheDirectives } from '../../core/cache/cache-policy.ts';
import { GatewayError, InvalidRequestError } from '../../core/errors.ts';
import { builder } from '../builder.ts';

export const CacheStatusEnum = builder.enumType('CacheStatus', {
  description: 'HIT: answered from the response cache; MISS: looked up, answered upstream; BYPASS: not looked up (the answer may be stored).',
  values: ['HIT', 'MISS', 'BYPASS'] as const,
});

export const CacheInput = builder.inputType('CacheInput', {
  description: 'The response cache for this request (when the gateway enables it; see README, "Response cache").',
  fields: (t) => ({
    ttlSeconds: t.int({ required: false, description: 'Store the answer this long; also the opt-in for a request that is not deterministic (temperature above 0 without a seed).' }),
    bypass: t.boolean({ required: false, description: 'Do not look up; the answer is still stored.' }),
    noStore: t.boolean({ required: false, description: 'Do not store the answer.' }),
  }),
});

export function toCacheDirectives(input: typeof CacheInput.$inferInput | null | undefined): CacheDirectives | undefined {
  if (!input) return undefined;
  if (input.ttlSeconds != null && input.ttlSeconds <= 0) throw new InvalidRequestError('cache.ttlSeconds: must be a positive number of seconds');
  return {
    ...(input.ttlSeconds != null ? { ttlSeconds: input.ttlSeconds } : {}),
    ...(input.bypass ? { bypass: true } : {}),
    ...(input.noStore ? { noStore: true } : {}),
  };
}

const PurgeResponseCacheInput = builder.inputType('PurgeResponseCacheInput', {
  description: 'Entries stored by this team, this key and for this model (as requested); every given field must match, none: everything.',
  fields: (t) => ({
    teamId: t.id({ required: false }),
    keyId: t.id({ required: false }),
    model: t.string({ required: false }),
  }),
});

const PurgeResponseCacheResultRef = builder.objectRef<{ purged: number }>('PurgeResponseCacheResult').implement({
  fields: (t) => ({ purged: t.exposeInt('purged', { description: 'How many entries were deleted.' }) }),
});

builder.mutationField('purgeResponseCache', (t) =>
  t.field({
    type: PurgeResponseCacheResultRef,
    authScopes: { admin: true },
    errors: { types: [GatewayError] },
    args: { input: t.arg({ type: PurgeResponseCacheInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      if (!context.caller) throw new GatewayError('UNAUTHENTICATED', 'An API key is required');
      const purged = await context.services.responseCacheAdmin.purge(context.caller, {
        ...(input.teamId != null ? { teamId: String(input.teamId) } : {}),
        ...(input.keyId != null ? { keyId: String(input.keyId) } : {}),
        ...(input.model != null ? { model: input.model } : {}),
      });
      return { purged };
    },
  }),
);
