// Admin mutations for the live routing table and stored provider credentials.
import type { Deployment } from '../../core/deployments.ts';
import { GatewayError } from '../../core/errors.ts';
import { parseUsd } from '../../core/money.ts';
import type { StoredDeployment } from '../../core/ports.ts';
import type { ProviderCredentialView } from '../../core/provider-admin-service.ts';
import { adminMutation, adminScope, callerOf } from '../admin-mutation.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { DeploymentRef } from './deployment.ts';

const ProviderCredentialRef = builder.objectRef<ProviderCredentialView>('ProviderCredential').implement({
  description: 'Provider credentials stored by an admin. The secret is encrypted at rest and never returned.',
  fields: (t) => ({
    providerId: t.exposeString('providerId'),
    kind: t.exposeString('kind'),
    baseUrl: t.exposeString('baseUrl', { nullable: true }),
    hasSecret: t.exposeBoolean('hasSecret'),
    settings: t.field({ type: 'JSON', resolve: (view) => view.settings }),
    updatedAt: t.field({ type: 'DateTime', resolve: (view) => view.updatedAt }),
  }),
});

const DeploymentPricingInput = builder.inputType('DeploymentPricingInput', {
  description: 'USD per 1M tokens; overrides the catalog price.',
  fields: (t) => ({
    input: t.field({ type: 'Money', required: false }),
    output: t.field({ type: 'Money', required: false }),
    cacheRead: t.field({ type: 'Money', required: false }),
    cacheWrite: t.field({ type: 'Money', required: false }),
    cacheWrite1h: t.field({ type: 'Money', required: false }),
  }),
});

const DeploymentInput = builder.inputType('DeploymentInput', {
  fields: (t) => ({
    id: t.id({ required: false, description: 'Updates this deployment; without it, name + provider + upstream model identify it.' }),
    model: t.string({ required: true, description: 'The public model name; repeat it across deployments to form a group.' }),
    provider: t.string({ required: true }),
    upstreamModel: t.string({ required: true }),
    weight: t.float({ required: false }),
    priority: t.int({ required: false }),
    timeoutMs: t.int({ required: false }),
    contextLength: t.int({ required: false }),
    maxOutputTokens: t.int({ required: false }),
    pricing: t.field({ type: DeploymentPricingInput, required: false }),
    rpm: t.int({ required: false }),
    tpm: t.int({ required: false }),
    tags: t.stringList({ required: false }),
    region: t.string({ required: false }),
  }),
});

const ProviderCredentialInput = builder.inputType('ProviderCredentialInput', {
  fields: (t) => ({
    providerId: t.string({ required: true, description: 'A new provider id, or a configured one to override.' }),
    kind: t.string({ required: true, description: 'A provider kind from the registry (see `providers`).' }),
    baseUrl: t.string({ required: false }),
    apiKey: t.string({ required: false, description: 'Encrypted at rest; omit to keep the stored one.' }),
    headers: t.field({ type: 'JSON', required: false, description: 'Extra headers (encrypted with the key).' }),
    settings: t.field({ type: 'JSON', required: false, description: 'Non-secret kind-specific settings such as apiVersion.' }),
  }),
});


/** The live deployment after a reload (with catalog prices merged), or the stored row as it was. */
function liveDeployment(context: GraphQLContext, stored: StoredDeployment): Deployment {
  const live = context.services.deploymentTable.all().find((deployment) => deployment.id === stored.id);
  if (live) return live;
  const p = stored.pricing;
  return {
    ...stored,
    pricing: p?.input !== undefined && p.output !== undefined ? { input: p.input, output: p.output, cacheRead: p.cacheRead ?? null, cacheWrite: p.cacheWrite ?? null, cacheWrite1h: p.cacheWrite1h ?? null } : null,
    tags: stored.tags ?? [],
  };
}

function stringRecord(value: unknown, field: string): Record<string, string> | null {
  if (value == null) return null;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((item) => typeof item !== 'string')) {
    throw new GatewayError('INVALID_REQUEST', `${field}: must be an object of strings`);
  }
  return value as Record<string, string>;
}

builder.mutationFields((t) => ({
  upsertDeployment: t.field({
    type: DeploymentRef,
    ...adminMutation,
    description: "Adds or changes an admin deployment; the router uses it from the next request, on every instance. A deployment this instance's config file declares is refused with DECLARED_IN_CONFIG.",
    args: { input: t.arg({ type: DeploymentInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const price = (value: string | null | undefined) => (value == null ? undefined : parseUsd(value));
      const pricing = input.pricing
        ? Object.fromEntries(
            Object.entries({ input: price(input.pricing.input), output: price(input.pricing.output), cacheRead: price(input.pricing.cacheRead), cacheWrite: price(input.pricing.cacheWrite), cacheWrite1h: price(input.pricing.cacheWrite1h) }).filter(
              ([, value]) => value !== undefined,
            ),
          )
        : null;
      const saved = await context.services.providerAdmin.upsertDeployment(callerOf(context), {
        id: input.id == null ? null : String(input.id),
        modelName: input.model,
        providerId: input.provider,
        upstreamModel: input.upstreamModel,
        weight: input.weight ?? null,
        priority: input.priority ?? null,
        timeoutMs: input.timeoutMs ?? null,
        contextLength: input.contextLength ?? null,
        maxOutputTokens: input.maxOutputTokens ?? null,
        pricing,
        rpm: input.rpm ?? null,
        tpm: input.tpm ?? null,
        tags: input.tags ?? null,
        region: input.region ?? null,
      });
      return liveDeployment(context, saved);
    },
  }),
  deleteDeployment: t.field({
    type: DeploymentRef,
    ...adminMutation,
    description: "Removes an admin-created deployment; returns it as it was. A deployment this instance's config file declares is refused with DECLARED_IN_CONFIG.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => liveDeployment(context, await context.services.providerAdmin.deleteDeployment(callerOf(context), String(id))),
  }),
  upsertProviderCredential: t.field({
    type: ProviderCredentialRef,
    ...adminMutation,
    args: { input: t.arg({ type: ProviderCredentialInput, required: true }) },
    resolve: (_root, { input }, context) => {
      const settings = input.settings == null ? null : (input.settings as Record<string, unknown>);
      if (settings !== null && (typeof settings !== 'object' || Array.isArray(settings))) throw new GatewayError('INVALID_REQUEST', 'settings: must be a JSON object');
      return context.services.providerAdmin.upsertProviderCredential(callerOf(context), {
        providerId: input.providerId,
        kind: input.kind,
        baseUrl: input.baseUrl ?? null,
        apiKey: input.apiKey ?? null,
        headers: stringRecord(input.headers, 'headers'),
        settings,
      });
    },
  }),
  deleteProviderCredential: t.field({
    type: ProviderCredentialRef,
    ...adminMutation,
    args: { providerId: t.arg.string({ required: true }) },
    resolve: (_root, { providerId }, context) => context.services.providerAdmin.deleteProviderCredential(callerOf(context), providerId),
  }),
}));

builder.queryField('providerCredentials', (t) =>
  t.field({
    type: [ProviderCredentialRef],
    authScopes: adminScope,
    resolve: (_root, _args, context) => context.services.providerAdmin.listCredentials(),
  }),
);
