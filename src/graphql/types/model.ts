import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { CAPABILITIES, type CatalogModel } from '../../core/catalog.ts';
import { parseUsd } from '../../core/money.ts';
import type { ModelPricing } from '../../core/pricing.ts';
import { builder } from '../builder.ts';
import { ModelRef, ProviderRef } from './catalog-refs.ts';

export const CapabilityEnum = builder.enumType('Capability', { values: CAPABILITIES });

const ModelPricingRef = builder.objectRef<ModelPricing>('ModelPricing').implement({
  description: 'Prices in USD per 1M tokens.',
  fields: (t) => ({
    input: t.field({ type: 'Money', resolve: (p) => p.input }),
    output: t.field({ type: 'Money', resolve: (p) => p.output }),
    cacheRead: t.field({ type: 'Money', nullable: true, resolve: (p) => p.cacheRead }),
    cacheWrite: t.field({ type: 'Money', nullable: true, description: 'Cache writes with the default (five-minute) lifetime.', resolve: (p) => p.cacheWrite }),
    cacheWrite1h: t.field({ type: 'Money', nullable: true, description: 'One-hour cache writes (Anthropic); null: priced as cacheWrite.', resolve: (p) => p.cacheWrite1h ?? null }),
  }),
});

ModelRef.implement({
  description: 'A model that can be asked for by `id`.',
  fields: (t) => ({
    id: t.exposeString('id', { description: '`provider/model` for catalog entries, or the configured public name.' }),
    name: t.exposeString('name'),
    upstreamModel: t.exposeString('upstreamModel'),
    provider: t.field({
      type: ProviderRef,
      resolve: async (model, _args, context) => {
        const provider = await context.loaders.provider.load(model.providerId);
        if (!provider) throw new GraphQLError(`provider ${model.providerId} is not known`);
        return provider;
      },
    }),
    pricing: t.field({ type: ModelPricingRef, nullable: true, resolve: (m) => m.pricing }),
    contextLength: t.exposeInt('contextLength', { nullable: true }),
    maxOutputTokens: t.exposeInt('maxOutputTokens', { nullable: true }),
    inputModalities: t.exposeStringList('inputModalities'),
    outputModalities: t.exposeStringList('outputModalities'),
    capabilities: t.field({ type: [CapabilityEnum], resolve: (m) => m.capabilities }),
    releaseDate: t.exposeString('releaseDate', { nullable: true }),
    simulated: t.exposeBoolean('simulated', { description: 'True for the built-in mock provider: not a real model.' }),
    routable: t.boolean({
      description: 'Whether a request for this model can be served now.',
      resolve: (m, _args, context) => context.services.catalog.isRoutable(m),
    }),
  }),
});

const ModelFilterInput = builder.inputType('ModelFilterInput', {
  fields: (t) => ({
    provider: t.string({ required: false }),
    search: t.string({ required: false, description: 'Case-insensitive substring of id or name.' }),
    capabilities: t.field({ type: [CapabilityEnum], required: false, description: 'Models having all of these.' }),
    inputModalities: t.stringList({ required: false }),
    maxInputPrice: t.field({ type: 'Money', required: false, description: 'USD per 1M input tokens.' }),
    minContextLength: t.int({ required: false }),
    configuredOnly: t.boolean({ required: false, description: 'Only models that are routable now.' }),
  }),
});

const ModelOrderFieldEnum = builder.enumType('ModelOrderField', {
  values: ['ID', 'NAME', 'INPUT_PRICE', 'OUTPUT_PRICE', 'CONTEXT_LENGTH', 'RELEASE_DATE'] as const,
});
export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });
const ModelOrderInput = builder.inputType('ModelOrderInput', {
  fields: (t) => ({
    field: t.field({ type: ModelOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'ASC' }),
  }),
});

builder.queryFields((t) => ({
  models: t.connection(
    {
      type: ModelRef,
      args: {
        filter: t.arg({ type: ModelFilterInput, required: false }),
        orderBy: t.arg({ type: ModelOrderInput, required: false }),
      },
      resolve: (_root, args, context) => {
        const filter = args.filter ?? {};
        const models = context.services.catalog.listModels(
          { ...filter, maxInputPrice: filter.maxInputPrice == null ? null : parseUsd(filter.maxInputPrice) },
          args.orderBy ? { field: args.orderBy.field, direction: args.orderBy.direction ?? 'ASC' } : undefined,
        );
        return resolveOffsetConnection({ args, totalCount: models.length }, ({ limit, offset }) => models.slice(offset, offset + limit));
      },
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'How many models the filter matches, over every page (cheap: the catalog is in memory).',
          resolve: (result) => result.totalCount,
        }),
      }),
    },
  ),
  model: t.field({
    type: ModelRef,
    nullable: true,
    args: { id: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => context.services.catalog.model(args.id) ?? null,
  }),
}));
