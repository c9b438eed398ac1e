// Usage: grouped reports, single generations, the raw event log and its live feed. Keys with
// READ_USAGE see their own key's usage only; admin keys see everything. The rule is applied here,
// in the resolvers, before anything reaches the repository.
import { GraphQLError } from 'graphql';
import type { Caller } from '../../core/auth.ts';
import { isUuid } from '../../core/ids.ts';
import { GatewayError } from '../../core/errors.ts';
import type { UsageRecord } from '../../core/metering/metering-ports.ts';
import { emptyFilter, USAGE_GROUPINGS, type UsageFilter, type UsageGroupRow, type UsageReport, type UsageTotals } from '../../core/metering/usage-report.ts';
import { builder } from '../builder.ts';
import { countedConnectionOf, pageSize } from '../paging.ts';
import type { GraphQLContext } from '../context.ts';
import { throwIfEnded, untilAborted } from '../subscription-end.ts';
import { ApiKeyRef } from './api-key.ts';
import { AttemptRef, UsageRef } from './chat-completion.ts';
import { ErrorCodeEnum } from './gateway-error.ts';
import { TeamRef, UserRef } from './team.ts';

const UsageGroupingEnum = builder.enumType('UsageGrouping', { values: USAGE_GROUPINGS });
const UsageStatusEnum = builder.enumType('UsageStatus', { values: ['SUCCESS', 'ERROR', 'CANCELLED'] as const });
const UsageSourceEnum = builder.enumType('UsageSource', {
  description: 'Where a report came from: daily rollups (whole UTC days), raw events (partial days), or both.',
  values: ['ROLLUPS', 'EVENTS', 'ROLLUPS_AND_EVENTS'] as const,
});

const UsageFilterInput = builder.inputType('UsageFilterInput', {
  description: 'Every given field narrows the selection; `to` is exclusive. Ranges that start and end at 00:00 UTC are answered from the daily rollups alone.',
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: false }),
    to: t.field({ type: 'DateTime', required: false }),
    keyIds: t.idList({ required: false }),
    teamIds: t.idList({ required: false }),
    userIds: t.idList({ required: false }),
    endUsers: t.stringList({ required: false }),
    models: t.stringList({ required: false, description: 'The model that served (or the requested one when none did).' }),
    providers: t.stringList({ required: false }),
    cacheHit: t.boolean({ required: false, description: 'true: only requests answered from the response cache; false: only the others.' }),
  }),
});

const isAdmin = (caller: Caller) => caller.scopes.includes('ADMIN');

function callerOf(context: GraphQLContext): Caller {
  if (!context.caller) throw new GraphQLError('An API key is required', { extensions: { code: 'UNAUTHENTICATED' } });
  return context.caller;
}

/** The filter as given, narrowed to the caller's own key unless the caller is an admin. */
function scopedFilter(context: GraphQLContext, input: typeof UsageFilterInput.$inferInput | null | undefined): UsageFilter {
  const caller = callerOf(context);
  const ids = (values: Array<string | number> | null | undefined) => (values == null ? null : values.map(String));
  const filter: UsageFilter = {
    ...emptyFilter(),
    from: input?.from ?? null,
    to: input?.to ?? null,
    keyIds: ids(input?.keyIds),
    teamIds: ids(input?.teamIds),
    userIds: ids(input?.userIds),
    endUsers: input?.endUsers ?? null,
    models: input?.models ?? null,
    providers: input?.providers ?? null,
    cacheHit: input?.cacheHit ?? null,
  };
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new GraphQLError('filter: `from` must not be after `to`', { extensions: { code: 'INVALID_REQUEST' } });
  }
  if (isAdmin(caller)) return filter;
  if (filter.keyIds && filter.keyIds.some((id) => id !== caller.keyId)) {
    throw new GraphQLError("This API key may read its own key's usage only", { extensions: { code: 'FORBIDDEN' } });
  }
  return { ...filter, keyIds: [caller.keyId] };
}

/** The stored key (the environment master key, `master`, has no row). */
const keyOf = (keyId: string | null, context: GraphQLContext) => (keyId && isUuid(keyId) ? context.loaders.apiKey.load(keyId) : null);

const mayRead = (caller: Caller, record: UsageRecord) => isAdmin(caller) || record.keyId === caller.keyId;

const UsageFiguresInterface = builder.interfaceRef<UsageTotals>('UsageFigures').implement({
  description: 'Requests, tokens and cost. Counts are Floats because they can pass 2^31; they are exact up to 2^53.',
  fields: (t) => ({
    requests: t.float({ resolve: (u) => u.requests }),
    failedRequests: t.float({ resolve: (u) => u.failedRequests }),
    cacheHits: t.float({ description: 'Requests answered from the response cache.', resolve: (u) => u.cacheHits }),
    inputTokens: t.float({ resolve: (u) => u.inputTokens }),
    outputTokens: t.float({ resolve: (u) => u.outputTokens }),
    cachedInputTokens: t.float({ resolve: (u) => u.cachedInputTokens }),
    cacheWriteTokens: t.float({ resolve: (u) => u.cacheWriteTokens }),
    reasoningTokens: t.float({ resolve: (u) => u.reasoningTokens }),
    totalTokens: t.float({ resolve: (u) => u.inputTokens + u.outputTokens }),
    cost: t.field({ type: 'Money', resolve: (u) => u.costMicro }),
  }),
});

const UsageTotalsRef = builder.objectRef<UsageTotals>('UsageTotals').implement({ interfaces: [UsageFiguresInterface], fields: () => ({}) });

const UsageGroupRef = builder.objectRef<UsageGroupRow>('UsageGroup').implement({
  description: 'One group of a report: the dimensions grouped by are set, the others are null.',
  interfaces: [UsageFiguresInterface],
  fields: (t) => ({
    day: t.string({ nullable: true, description: 'The UTC day, YYYY-MM-DD.', resolve: (g) => g.day }),
    keyId: t.string({ nullable: true, resolve: (g) => g.keyId }),
    key: t.field({ type: ApiKeyRef, nullable: true, resolve: (g, _args, context) => keyOf(g.keyId, context) }),
    teamId: t.string({ nullable: true, resolve: (g) => g.teamId }),
    team: t.field({ type: TeamRef, nullable: true, resolve: (g, _args, context) => (g.teamId ? context.loaders.team.load(g.teamId) : null) }),
    userId: t.string({ nullable: true, resolve: (g) => g.userId }),
    user: t.field({ type: UserRef, nullable: true, resolve: (g, _args, context) => (g.userId ? context.loaders.user.load(g.userId) : null) }),
    endUser: t.string({ nullable: true, resolve: (g) => g.endUser }),
    model: t.string({ nullable: true, resolve: (g) => g.model }),
    provider: t.string({ nullable: true, resolve: (g) => g.providerId }),
    cacheHit: t.boolean({ nullable: true, description: 'Grouped by CACHE_HIT: whether these requests were answered from the response cache.', resolve: (g) => g.cacheHit }),
  }),
});

const UsageReportRef = builder.objectRef<UsageReport>('UsageReport').implement({
  fields: (t) => ({
    totals: t.field({ type: UsageTotalsRef, resolve: (r) => r.totals }),
    series: t.field({ type: [UsageGroupRef], description: 'By day, then dearest first; at most 10,000 groups.', resolve: (r) => r.series }),
    source: t.field({ type: UsageSourceEnum, resolve: (r) => r.source }),
  }),
});

export const GenerationRef = builder.objectRef<UsageRecord>('Generation').implement({
  description: 'The usage record of one request (a generation), as metered: one per request, whatever its outcome.',
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    keyId: t.string({ nullable: true, resolve: (r) => r.keyId }),
    key: t.field({ type: ApiKeyRef, nullable: true, resolve: (r, _args, context) => keyOf(r.keyId, context) }),
    teamId: t.string({ nullable: true, resolve: (r) => r.teamId }),
    userId: t.string({ nullable: true, resolve: (r) => r.userId }),
    endUser: t.string({ nullable: true, resolve: (r) => r.endUser }),
    requestedModel: t.exposeString('requestedModel'),
    model: t.string({ nullable: true, description: 'The model that served, null when none was reached.', resolve: (r) => r.model }),
    deploymentId: t.string({ nullable: true, resolve: (r) => r.deploymentId }),
    provider: t.string({ nullable: true, resolve: (r) => r.providerId }),
    upstreamModel: t.string({ nullable: true, resolve: (r) => r.upstreamModel }),
    usage: t.field({ type: UsageRef, resolve: (r) => r.usage }),
    cost: t.field({ type: 'Money', resolve: (r) => r.cost }),
    latencyMs: t.exposeInt('latencyMs'),
    timeToFirstTokenMs: t.int({ nullable: true, resolve: (r) => r.timeToFirstTokenMs }),
    status: t.field({ type: UsageStatusEnum, resolve: (r) => r.status }),
    errorCode: t.field({ type: ErrorCodeEnum, nullable: true, resolve: (r) => r.errorCode }),
    attempts: t.field({ type: [AttemptRef], resolve: (r) => r.attempts }),
    streamed: t.exposeBoolean('streamed'),
    cancelledByClient: t.exposeBoolean('cancelledByClient'),
    cacheHit: t.exposeBoolean('cacheHit', { description: 'Answered from the response cache, without an upstream call.' }),
    requestId: t.string({ nullable: true, resolve: (r) => r.requestId }),
  }),
});

const readUsage = { readUsage: true } as const;

builder.queryFields((t) => ({
  usage: t.field({
    type: UsageReportRef,
    authScopes: readUsage,
    description: "Totals and a series grouped by the given dimensions. Non-admin keys see their own key's usage.",
    args: {
      filter: t.arg({ type: UsageFilterInput, required: false }),
      groupBy: t.arg({ type: [UsageGroupingEnum], required: false }),
    },
    resolve: (_root, args, context) => context.services.usage.report(scopedFilter(context, args.filter), [...new Set(args.groupBy ?? [])]),
  }),
  generation: t.field({
    type: GenerationRef,
    nullable: true,
    authScopes: readUsage,
    description: 'One generation by the id every completion returns; null when unknown or not readable by this key.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => {
      const caller = callerOf(context);
      const text = String(id);
      const record = await context.services.usage.findById(text);
      return record && mayRead(caller, record) ? record : null;
    },
  }),
  usageEvents: t.connection(
    {
      type: GenerationRef,
      authScopes: readUsage,
      description: 'The raw usage log, newest first.',
      args: { filter: t.arg({ type: UsageFilterInput, required: false }) },
      resolve: async (_root, args, context) => {
        const first = pageSize(args.first, 500);
        const filter = scopedFilter(context, args.filter);
        const page = await context.services.usage.list(filter, first, args.after ?? null);
        // Counted only when the field is selected: it reads every matching event.
        return countedConnectionOf(page, args.after, () => context.services.usage.count(filter));
      },
    },
    {
      fields: (connection) => ({
        totalCount: connection.float({
          description:
            'How many events the filter matches, over every page. Not cheap: it counts the raw events of the whole range ' +
            '(run only when this field is selected); for request counts over long ranges use `usage { totals { requests } }`, ' +
            'answered from the daily rollups. A Float, as usage counts can pass 2^31.',
          resolve: (result) => result.totalCount(),
        }),
      }),
    },
  ),
}));

builder.subscriptionField('usageEvents', (t) =>
  t.field({
    type: GenerationRef,
    authScopes: readUsage,
    description: "Each usage record as it is written (after its batch commits), from every instance. Non-admin keys get their own key's.",
    subscribe: async function* (_root, _args, context) {
      const caller = callerOf(context);
      // Ends when the client leaves, or with an UNAUTHENTICATED error when the key stops being valid.
      for await (const record of untilAborted(context.services.usageFeed.subscribe(), context.signal)) {
        if (record instanceof GatewayError || mayRead(caller, record)) yield record;
      }
    },
    resolve: (event) => throwIfEnded(event as UsageRecord | GatewayError),
  }),
);
