import type { Caller } from '../../core/auth.ts';
import { builder } from '../builder.ts';
import { ApiKeyRef, ScopeEnum } from './api-key.ts';
import { LimitsRef } from './limits.ts';
import { TeamRef } from './team.ts';

const MeRef = builder.objectRef<Caller>('Me').implement({
  description: 'The calling key: what it may do and its limits.',
  fields: (t) => ({
    keyId: t.exposeString('keyId'),
    name: t.exposeString('keyName'),
    isMasterKey: t.exposeBoolean('isMasterKey'),
    scopes: t.field({ type: [ScopeEnum], resolve: (caller) => caller.scopes }),
    allowedModels: t.stringList({ nullable: true, resolve: (caller) => caller.allowedModels }),
    teamAllowedModels: t.stringList({ nullable: true, resolve: (caller) => caller.teamAllowedModels }),
    team: t.field({ type: TeamRef, nullable: true, resolve: (caller, _args, context) => (caller.teamId ? context.loaders.team.load(caller.teamId) : null) }),
    limits: t.field({
      type: LimitsRef,
      nullable: true,
      description: "The key's own budget and rate limits (null for the MODELGRAPH_ADMIN_KEY master key).",
      resolve: (caller, _args, context) => (caller.keyId === 'master' ? null : context.loaders.apiKey.load(caller.keyId)),
    }),
    teamLimits: t.field({
      type: LimitsRef,
      nullable: true,
      resolve: (caller, _args, context) => (caller.teamId ? context.loaders.team.load(caller.teamId) : null),
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      nullable: true,
      description: 'The key record (null for the MODELGRAPH_ADMIN_KEY master key).',
      resolve: (caller, _args, context) => (caller.keyId === 'master' ? null : context.loaders.apiKey.load(caller.keyId)),
    }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: MeRef,
    resolve: (_root, _args, context) => context.caller!,
  }),
);
