import { SCOPES } from '../../core/keys/types.ts';
import { GatewayError } from '../../core/errors.ts';
import { keyStatus, type ApiKey } from '../../core/keys/types.ts';
import { adminMutation, adminScope, callerOf } from '../admin-mutation.ts';
import { builder } from '../builder.ts';
import { countedConnectionOf, pageSize, totalCountFields } from '../paging.ts';
import { jsonObjectOf, LimitsInput, LimitsRef, sharedSettingsOf } from './limits.ts';
import { TeamRef, UserRef } from './team.ts';

export const ScopeEnum = builder.enumType('Scope', { values: SCOPES });
export const KeyStatusEnum = builder.enumType('KeyStatus', { values: ['ACTIVE', 'EXPIRED', 'REVOKED', 'DISABLED'] as const });

export const ApiKeyRef = builder.objectRef<ApiKey>('ApiKey').implement({
  description: 'A virtual API key. Its secret is shown only when it is created or rotated.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    displayPrefix: t.exposeString('displayPrefix', { description: 'The first and last characters of the secret, to recognise it.' }),
    isMaster: t.exposeBoolean('isMaster'),
    status: t.field({ type: KeyStatusEnum, resolve: (key) => keyStatus(key, Date.now()) }),
    scopes: t.field({ type: [ScopeEnum], resolve: (key) => key.scopes }),
    team: t.field({
      type: TeamRef,
      nullable: true,
      resolve: (key, _args, context) => (key.teamId ? context.loaders.team.load(key.teamId) : null),
    }),
    user: t.field({
      type: UserRef,
      nullable: true,
      resolve: (key, _args, context) => (key.userId ? context.loaders.user.load(key.userId) : null),
    }),
    allowedModels: t.stringList({ nullable: true, description: 'Names, groups or `provider/*`; null allows every model.', resolve: (key) => key.allowedModels }),
    modelAliases: t.field({ type: 'JSON', resolve: (key) => key.modelAliases }),
    metadata: t.field({ type: 'JSON', resolve: (key) => key.metadata }),
    cacheTtlSeconds: t.int({ nullable: true, description: 'The response cache\'s default TTL for this key\'s deterministic requests (temperature 0 or a seed), when the cache is enabled; null: the team\'s, else the gateway\'s. Requests may still give their own.', resolve: (key) => key.cacheTtlSeconds }),
    limits: t.field({ type: LimitsRef, resolve: (key) => key }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (key) => key.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (key) => key.revokedAt }),
    previousSecretValidUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'After a rotation: until when the previous secret is still accepted.',
      resolve: (key) => key.previousValidUntil,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (key) => key.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (key) => key.updatedAt }),
  }),
});

const ApiKeySecretRef = builder.objectRef<{ key: ApiKey; secret: string }>('ApiKeyWithSecret').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (result) => result.key }),
    secret: t.exposeString('secret', { description: 'The secret. It is returned only here and cannot be read again.' }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    teamId: t.id({ required: false, description: 'Defaults to the `default` team.' }),
    userId: t.id({ required: false }),
    scopes: t.field({ type: [ScopeEnum], required: false, description: 'Defaults to [INFERENCE].' }),
    allowedModels: t.stringList({ required: false }),
    modelAliases: t.field({ type: 'JSON', required: false, description: 'An object mapping requested names to model names.' }),
    metadata: t.field({ type: 'JSON', required: false }),
    cacheTtlSeconds: t.int({ required: false, description: 'The response cache\'s default TTL for the key\'s deterministic requests; null clears it.' }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
    limits: t.field({ type: LimitsInput, required: false }),
  }),
});

const UpdateApiKeyInput = builder.inputType('UpdateApiKeyInput', {
  description: 'Omitted fields stay as they are.',
  fields: (t) => ({
    name: t.string({ required: false }),
    teamId: t.id({ required: false }),
    userId: t.id({ required: false }),
    scopes: t.field({ type: [ScopeEnum], required: false }),
    allowedModels: t.stringList({ required: false }),
    modelAliases: t.field({ type: 'JSON', required: false }),
    metadata: t.field({ type: 'JSON', required: false }),
    cacheTtlSeconds: t.int({ required: false, description: 'The response cache\'s default TTL for the key\'s deterministic requests; null clears it.' }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
    disabled: t.boolean({ required: false }),
    limits: t.field({ type: LimitsInput, required: false }),
  }),
});

function aliases(value: unknown): Record<string, string> {
  const object = jsonObjectOf(value, 'modelAliases');
  for (const [key, target] of Object.entries(object)) {
    if (typeof target !== 'string') throw new GatewayError('INVALID_REQUEST', `modelAliases.${key}: must be a model name`);
  }
  return object as Record<string, string>;
}


builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: ApiKeySecretRef,
    ...adminMutation,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, context) =>
      context.services.admin.createApiKey(callerOf(context), {
        name: input.name,
        teamId: input.teamId === null || input.teamId === undefined ? null : String(input.teamId),
        userId: input.userId === null || input.userId === undefined ? null : String(input.userId),
        ...(input.scopes ? { scopes: input.scopes } : {}),
        ...(input.modelAliases != null ? { modelAliases: aliases(input.modelAliases) } : {}),
        ...sharedSettingsOf(input),
        ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
      }),
  }),
  updateApiKey: t.field({
    type: ApiKeyRef,
    ...adminMutation,
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateApiKeyInput, required: true }) },
    resolve: (_root, { id, input }, context) =>
      context.services.admin.updateApiKey(callerOf(context), String(id), {
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.teamId !== undefined ? { teamId: input.teamId === null ? null : String(input.teamId) } : {}),
        ...(input.userId !== undefined ? { userId: input.userId === null ? null : String(input.userId) } : {}),
        ...(input.scopes != null ? { scopes: input.scopes } : {}),
        ...(input.modelAliases != null ? { modelAliases: aliases(input.modelAliases) } : {}),
        ...sharedSettingsOf(input),
        ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
        ...(input.disabled != null ? { disabled: input.disabled } : {}),
      }),
  }),
  revokeApiKey: t.field({
    type: ApiKeyRef,
    ...adminMutation,
    description: 'Revokes the key with immediate effect, on every instance.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => context.services.admin.revokeApiKey(callerOf(context), String(id)),
  }),
  rotateApiKey: t.field({
    type: ApiKeySecretRef,
    ...adminMutation,
    description: 'Issues a new secret; the old one stays valid for the grace period.',
    args: { id: t.arg.id({ required: true }), gracePeriodSeconds: t.arg.int({ defaultValue: 86_400 }) },
    resolve: (_root, { id, gracePeriodSeconds }, context) =>
      context.services.admin.rotateApiKey(callerOf(context), String(id), gracePeriodSeconds ?? 86_400),
  }),
}));

const ApiKeyFilterInput = builder.inputType('ApiKeyFilterInput', {
  fields: (t) => ({
    teamId: t.id({ required: false }),
    userId: t.id({ required: false }),
    status: t.field({ type: KeyStatusEnum, required: false }),
    search: t.string({ required: false, description: 'Substring of the name.' }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.connection(
    {
      type: ApiKeyRef,
      authScopes: adminScope,
      args: { filter: t.arg({ type: ApiKeyFilterInput, required: false }) },
      resolve: async (_root, args, context) => {
        const first = pageSize(args.first, 200);
        const filter = args.filter ?? {};
        const keyFilter = {
          teamId: filter.teamId == null ? null : String(filter.teamId),
          userId: filter.userId == null ? null : String(filter.userId),
          status: filter.status ?? null,
          search: filter.search ?? null,
        };
        const now = new Date();
        const page = await context.services.keys.list(keyFilter, first, args.after ?? null, now);
        return countedConnectionOf(page, args.after, () => context.services.keys.count(keyFilter, now));
      },
    },
    { fields: (connection) => totalCountFields(connection, 'How many keys the filter matches, over every page (one COUNT query, run only when this field is selected).') },
  ),
  apiKey: t.field({
    type: ApiKeyRef,
    nullable: true,
    authScopes: adminScope,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => context.loaders.apiKey.load(String(id)),
  }),
}));
