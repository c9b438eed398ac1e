import { resolveOffsetConnection } from '@pothos/plugin-relay';
import type { ProviderSupport } from '../../core/catalog.ts';
import { builder } from '../builder.ts';
import type { ProviderView } from '../context.ts';
import { ModelRef, ProviderRef } from './catalog-refs.ts';

export const WireProtocolEnum = builder.enumType('WireProtocol', {
  values: { OPENAI: { value: 'openai' }, ANTHROPIC: { value: 'anthropic' }, GEMINI: { value: 'gemini' }, COHERE: { value: 'cohere' }, BEDROCK: { value: 'bedrock' }, MOCK: { value: 'mock' } } as const,
});

const ProviderSupportRef = builder.objectRef<ProviderSupport>('ProviderSupport').implement({
  description: 'What this provider serves through the gateway.',
  fields: (t) => ({
    chat: t.exposeBoolean('chat'),
    streaming: t.exposeBoolean('streaming'),
    tools: t.exposeBoolean('tools'),
    vision: t.exposeBoolean('vision'),
    embeddings: t.exposeBoolean('embeddings'),
  }),
});

ProviderRef.implement({
  description: 'A model provider the gateway can reach.',
  fields: (t) => ({
    id: t.exposeString('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind', { description: 'The named provider kind (e.g. "groq") or the protocol itself.' }),
    protocol: t.field({ type: WireProtocolEnum, resolve: (provider) => provider.protocol }),
    baseUrl: t.exposeString('baseUrl', { nullable: true }),
    configured: t.exposeBoolean('configured', { description: 'Has credentials (or needs none) and can be called now.' }),
    supports: t.field({ type: ProviderSupportRef, resolve: (provider) => provider.supports }),
    models: t.connection({
      type: ModelRef,
      resolve: (provider, args, context) =>
        resolveOffsetConnection({ args }, ({ limit, offset }) =>
          context.services.catalog.listModels({ provider: provider.id }).slice(offset, offset + limit),
        ),
    }),
  }),
});

builder.queryFields((t) => ({
  providers: t.connection({
    type: ProviderRef,
    args: { configuredOnly: t.arg.boolean({ required: false }) },
    resolve: async (_root, args, context) => {
      const all = context.services.catalog.listProviders().filter((p) => !args.configuredOnly || p.configured);
      return resolveOffsetConnection({ args }, async ({ limit, offset }) => {
        const page = all.slice(offset, offset + limit);
        const views = await context.loaders.provider.loadMany(page.map((p) => p.id));
        return views.filter((view): view is ProviderView => view !== null && !(view instanceof Error));
      });
    },
  }),
  provider: t.field({
    type: ProviderRef,
    nullable: true,
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.loaders.provider.load(args.id),
  }),
}));
