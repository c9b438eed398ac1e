// Deployments (one upstream model behind a public name) with the router's live view of each, and
// the admin `deployments` query. The admin deployment mutations can return DeploymentRef.
import type { Deployment } from '../../core/deployments.ts';
import type { DeploymentState } from '../../core/router/router.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';

/** One read of every deployment's live state per GraphQL request, however many fields ask. */
const statesByRequest = new WeakMap<GraphQLContext, Promise<Map<string, DeploymentState>>>();
function liveState(context: GraphQLContext, id: string): Promise<DeploymentState | undefined> {
  let states = statesByRequest.get(context);
  if (!states) {
    states = context.services.completions.deploymentStates().then((all) => new Map(all.map((state) => [state.deployment.id, state])));
    statesByRequest.set(context, states);
  }
  return states.then((map) => map.get(id));
}

const DeploymentStateRef = builder.objectRef<DeploymentState>('DeploymentState').implement({
  description: "The router's live view of a deployment. Failures, cooldown and per-minute usage are shared across instances when Redis is configured; in flight and the averages are this instance's.",
  fields: (t) => ({
    inFlight: t.exposeInt('inFlight', { description: 'Requests this instance has open to the deployment now.' }),
    averageLatencyMs: t.exposeFloat('latencyMs', { nullable: true, description: 'Moving average over non-streamed requests.' }),
    averageTimeToFirstTokenMs: t.exposeFloat('timeToFirstTokenMs', { nullable: true, description: 'Moving average over streamed requests.' }),
    tokensPerSecond: t.exposeFloat('tokensPerSecond', { nullable: true, description: 'Moving average of output throughput.' }),
    failuresInWindow: t.exposeInt('failuresInWindow', { description: 'Failures counted towards the cooldown threshold.' }),
    cooledUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Out of rotation until then; in the past means the next request is a probe that decides.',
      resolve: (state) => (state.cooledUntil === null ? null : new Date(state.cooledUntil)),
    }),
    requestsThisMinute: t.exposeInt('requestsThisMinute'),
    tokensThisMinute: t.exposeInt('tokensThisMinute'),
  }),
});

const DeploymentSourceEnum = builder.enumType('DeploymentSource', {
  description: 'Who owns a deployment, and so where it is changed.',
  values: {
    CONFIG: { value: 'config', description: "Declared in this instance's config file; routed from the file, changed only there." },
    ADMIN: { value: 'admin', description: 'Created through upsertDeployment; stored in the database and routed by every instance.' },
    CATALOG: { value: 'catalog', description: 'A catalog model of a configured provider requested as `provider/model`.' },
  } as const,
});

export const DeploymentRef = builder.objectRef<Deployment>('Deployment').implement({
  description: 'One upstream model behind a public model name; several with one name form a group the router balances.',
  fields: (t) => ({
    id: t.exposeID('id'),
    model: t.exposeString('modelName', { description: 'The public model name (group).' }),
    provider: t.exposeString('providerId'),
    upstreamModel: t.exposeString('upstreamModel'),
    source: t.field({ type: DeploymentSourceEnum, resolve: (d) => d.source ?? 'config' }),
    weight: t.exposeFloat('weight'),
    priority: t.exposeInt('priority', { description: 'Lower priorities are tried first; the strategy chooses within one.' }),
    timeoutMs: t.exposeInt('timeoutMs', { nullable: true }),
    contextLength: t.exposeInt('contextLength', { nullable: true }),
    maxOutputTokens: t.exposeInt('maxOutputTokens', { nullable: true }),
    rpm: t.int({ nullable: true, resolve: (d) => d.rpm ?? null }),
    tpm: t.int({ nullable: true, resolve: (d) => d.tpm ?? null }),
    tags: t.stringList({ resolve: (d) => d.tags ?? [] }),
    region: t.string({ nullable: true, resolve: (d) => d.region ?? null }),
    inputPrice: t.field({ type: 'Money', nullable: true, description: 'USD per 1M input tokens.', resolve: (d) => d.pricing?.input ?? null }),
    outputPrice: t.field({ type: 'Money', nullable: true, description: 'USD per 1M output tokens.', resolve: (d) => d.pricing?.output ?? null }),
    cacheReadPrice: t.field({ type: 'Money', nullable: true, description: 'USD per 1M cached input tokens read.', resolve: (d) => d.pricing?.cacheRead ?? null }),
    cacheWritePrice: t.field({ type: 'Money', nullable: true, description: 'USD per 1M input tokens written to the cache.', resolve: (d) => d.pricing?.cacheWrite ?? null }),
    cacheWrite1hPrice: t.field({ type: 'Money', nullable: true, description: 'USD per 1M input tokens written to the cache for one hour; null: priced as cacheWritePrice.', resolve: (d) => d.pricing?.cacheWrite1h ?? null }),
    state: t.field({
      type: DeploymentStateRef,
      nullable: true,
      description: 'Null for a deployment no longer in the table.',
      resolve: (d, _args, context) => liveState(context, d.id),
    }),
  }),
});

builder.queryField('deployments', (t) =>
  t.field({
    type: [DeploymentRef],
    description: "This instance's deployments (its config file's and the admin-created ones) with their live state (admin only).",
    authScopes: { admin: true },
    args: { model: t.arg.string({ required: false, description: 'Only this public model name.' }) },
    resolve: async (_root, args, context) => {
      const states = await context.services.completions.deploymentStates();
      return states.map((state) => state.deployment).filter((deployment) => args.model == null || deployment.modelName === args.model);
    },
  }),
);
