// Usage queries: grouped reports (whole days from usage_daily, partial days from usage_events),
// single generations and the raw event log with keyset pagination.
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { UsageRecord } from '../core/metering/metering-ports.ts';
import {
  mergeUsageRows,
  planUsageQuery,
  type UsageFilter,
  type UsageGroupRow,
  type UsageGrouping,
  type UsageRepository,
} from '../core/metering/usage-report.ts';
import type { ErrorCode } from '../core/errors.ts';
import { isUuid, uuidsOnly } from '../core/ids.ts';
import type { Db } from './client.ts';
import { parseStoredAttempts } from './stored-attempts.ts';
import { rowsOf } from './usage-event-store.ts';
import { allOf, pageOf } from './repository-paging.ts';
import { usageDaily, usageEvents } from './schema.ts';

type EventRow = typeof usageEvents.$inferSelect;

export function toUsageRecord(row: EventRow): UsageRecord {
  return {
    id: row.id,
    createdAt: row.createdAt,
    keyId: row.keyId,
    teamId: row.teamId,
    userId: row.userId,
    endUser: row.endUser,
    requestedModel: row.requestedModel,
    model: row.model,
    deploymentId: row.deploymentId,
    providerId: row.providerId,
    upstreamModel: row.upstreamModel,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cachedInputTokens: row.cachedInputTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      reasoningTokens: row.reasoningTokens,
    },
    cost: row.costMicro,
    latencyMs: row.latencyMs,
    timeToFirstTokenMs: row.timeToFirstTokenMs,
    status: row.status,
    errorCode: row.errorCode as ErrorCode | null,
    attempts: parseStoredAttempts(row.attempts),
    streamed: row.streamed,
    cancelledByClient: row.cancelledByClient,
    requestId: row.requestId,
    cacheHit: row.cacheHit,
  };
}

/** The dimensions of each table, by grouping. */
function dimensions(table: 'daily' | 'events'): Record<UsageGrouping, SQL> {
  if (table === 'daily') {
    return {
      DAY: sql`${usageDaily.day}`,
      KEY: sql`${usageDaily.keyId}`,
      TEAM: sql`${usageDaily.teamId}`,
      USER: sql`${usageDaily.userId}`,
      END_USER: sql`${usageDaily.endUser}`,
      MODEL: sql`${usageDaily.model}`,
      PROVIDER: sql`${usageDaily.providerId}`,
      CACHE_HIT: sql`${usageDaily.cacheHit}`,
    };
  }
  return {
    DAY: sql`(${usageEvents.createdAt} AT TIME ZONE 'UTC')::date`,
    KEY: sql`${usageEvents.keyId}`,
    TEAM: sql`${usageEvents.teamId}`,
    USER: sql`${usageEvents.userId}`,
    END_USER: sql`${usageEvents.endUser}`,
    MODEL: sql`coalesce(${usageEvents.model}, ${usageEvents.requestedModel})`,
    PROVIDER: sql`${usageEvents.providerId}`,
    CACHE_HIT: sql`${usageEvents.cacheHit}`,
  };
}

const FIELD_OF: Record<UsageGrouping, keyof UsageGroupRow> = {
  DAY: 'day',
  KEY: 'keyId',
  TEAM: 'teamId',
  USER: 'userId',
  END_USER: 'endUser',
  MODEL: 'model',
  PROVIDER: 'providerId',
  CACHE_HIT: 'cacheHit',
};

/** The raw log's conditions: the dimensions and the time range (a page and the count share them). */
function eventConditions(filter: UsageFilter): SQL[] {
  const conditions = dimensionFilter(filter, 'events');
  if (filter.from) conditions.push(gte(usageEvents.createdAt, filter.from));
  if (filter.to) conditions.push(lt(usageEvents.createdAt, filter.to));
  return conditions;
}

/** Filter conditions shared by both tables (all but the time range). */
function dimensionFilter(filter: UsageFilter, table: 'daily' | 'events'): SQL[] {
  const t = table === 'daily' ? usageDaily : usageEvents;
  const conditions: SQL[] = [];
  if (filter.keyIds) conditions.push(filter.keyIds.length ? inArray(t.keyId, filter.keyIds) : sql`false`);
  // Team and user columns are uuid: ids that are not UUIDs match nothing.
  const teamIds = filter.teamIds && uuidsOnly(filter.teamIds);
  const userIds = filter.userIds && uuidsOnly(filter.userIds);
  if (teamIds) conditions.push(teamIds.length ? inArray(t.teamId, teamIds) : sql`false`);
  if (userIds) conditions.push(userIds.length ? inArray(t.userId, userIds) : sql`false`);
  if (filter.endUsers) conditions.push(filter.endUsers.length ? inArray(t.endUser, filter.endUsers) : sql`false`);
  if (filter.cacheHit !== null) conditions.push(eq(t.cacheHit, filter.cacheHit));
  if (filter.providers) conditions.push(filter.providers.length ? inArray(t.providerId, filter.providers) : sql`false`);
  if (filter.models) {
    const model = table === 'daily' ? sql`${usageDaily.model}` : sql`coalesce(${usageEvents.model}, ${usageEvents.requestedModel})`;
    conditions.push(filter.models.length ? sql`${model} in ${filter.models}` : sql`false`);
  }
  return conditions;
}

interface AggregateRow {
  day: string | null;
  key_id: string | null;
  team_id: string | null;
  user_id: string | null;
  end_user: string | null;
  model: string | null;
  provider_id: string | null;
  cache_hit: boolean | null;
  requests: number | string;
  failed_requests: number | string;
  cache_hits: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cached_input_tokens: number | string;
  cache_write_tokens: number | string;
  reasoning_tokens: number | string;
  cost_micro: string;
}

const COLUMN_OF: Record<UsageGrouping, keyof AggregateRow> = {
  DAY: 'day',
  KEY: 'key_id',
  TEAM: 'team_id',
  USER: 'user_id',
  END_USER: 'end_user',
  MODEL: 'model',
  PROVIDER: 'provider_id',
  CACHE_HIT: 'cache_hit',
};

function toGroupRow(row: AggregateRow, groupBy: readonly UsageGrouping[]): UsageGroupRow {
  const group: UsageGroupRow = {
    day: null,
    keyId: null,
    teamId: null,
    userId: null,
    endUser: null,
    model: null,
    providerId: null,
    cacheHit: null,
    requests: Number(row.requests),
    failedRequests: Number(row.failed_requests),
    cacheHits: Number(row.cache_hits),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cachedInputTokens: Number(row.cached_input_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
    costMicro: BigInt(row.cost_micro ?? 0),
  };
  for (const grouping of groupBy) (group as unknown as Record<string, unknown>)[FIELD_OF[grouping]] = row[COLUMN_OF[grouping]];
  return group;
}

function selectList(groupBy: readonly UsageGrouping[], table: 'daily' | 'events'): SQL {
  const dims = dimensions(table);
  const parts = (Object.keys(COLUMN_OF) as UsageGrouping[]).map((grouping) =>
    groupBy.includes(grouping) ? sql`${dims[grouping]} AS ${sql.raw(COLUMN_OF[grouping])}` : sql`NULL AS ${sql.raw(COLUMN_OF[grouping])}`,
  );
  const totals =
    table === 'daily'
      ? sql`sum(requests)::float8 AS requests, sum(failed_requests)::float8 AS failed_requests, sum(cache_hits)::float8 AS cache_hits, sum(input_tokens)::float8 AS input_tokens,
          sum(output_tokens)::float8 AS output_tokens, sum(cached_input_tokens)::float8 AS cached_input_tokens,
          sum(cache_write_tokens)::float8 AS cache_write_tokens, sum(reasoning_tokens)::float8 AS reasoning_tokens, sum(cost_micro)::text AS cost_micro`
      : sql`count(*)::float8 AS requests, (count(*) FILTER (WHERE status = 'ERROR'))::float8 AS failed_requests, (count(*) FILTER (WHERE cache_hit))::float8 AS cache_hits, sum(input_tokens)::float8 AS input_tokens,
          sum(output_tokens)::float8 AS output_tokens, sum(cached_input_tokens)::float8 AS cached_input_tokens,
          sum(cache_write_tokens)::float8 AS cache_write_tokens, sum(reasoning_tokens)::float8 AS reasoning_tokens, sum(cost_micro)::text AS cost_micro`;
  return sql.join([...parts, totals], sql`, `);
}

function groupByClause(groupBy: readonly UsageGrouping[]): SQL {
  if (groupBy.length === 0) return sql``;
  const positions = (Object.keys(COLUMN_OF) as UsageGrouping[]).flatMap((grouping, index) => (groupBy.includes(grouping) ? [String(index + 1)] : []));
  return sql` GROUP BY ${sql.raw(positions.join(', '))}`;
}

const where = (conditions: SQL[]) => (conditions.length ? sql` WHERE ${and(...conditions)}` : sql``);

/**
 * The aggregate query. Groups by the raw columns and converts dates and uuids to text only in the
 * outer query, once per group rather than once per row.
 */
function aggregate(table: 'daily' | 'events', groupBy: readonly UsageGrouping[], conditions: SQL[]): SQL {
  const from = table === 'daily' ? sql`${usageDaily}` : sql`${usageEvents}`;
  return sql`SELECT day::text AS day, key_id, team_id::text AS team_id, user_id::text AS user_id, end_user, model, provider_id, cache_hit,
      requests, failed_requests, cache_hits, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micro
    FROM (SELECT ${selectList(groupBy, table)} FROM ${from}${where(conditions)}${groupByClause(groupBy)}) AS grouped`;
}

/** At most this many groups are returned, dearest first within each day. */
const SERIES_LIMIT = 10_000;

export function createUsageRepository(db: Db): UsageRepository {
  return {
    async report(filter, groupBy) {
      const plan = planUsageQuery(filter.from, filter.to);
      const queries: Array<Promise<{ rows: UsageGroupRow[]; sign: 1 | -1 }>> = [];
      if (plan.rollupDays) {
        const conditions = dimensionFilter(filter, 'daily');
        if (plan.rollupDays.from) conditions.push(gte(usageDaily.day, plan.rollupDays.from));
        if (plan.rollupDays.to) conditions.push(lt(usageDaily.day, plan.rollupDays.to));
        queries.push(
          db
            .execute(aggregate('daily', groupBy, conditions))
            .then((result) => ({ rows: rowsOf<AggregateRow>(result).map((row) => toGroupRow(row, groupBy)), sign: 1 as const })),
        );
      }
      for (const range of plan.eventRanges) {
        const conditions = dimensionFilter(filter, 'events');
        if (range.from) conditions.push(gte(usageEvents.createdAt, range.from));
        if (range.to) conditions.push(lt(usageEvents.createdAt, range.to));
        queries.push(
          db
            .execute(aggregate('events', groupBy, conditions))
            .then((result) => ({ rows: rowsOf<AggregateRow>(result).map((row) => toGroupRow(row, groupBy)), sign: range.sign })),
        );
      }
      // Without a grouping each query yields one row of totals, which merge into one series row.
      const { totals, series } = mergeUsageRows(await Promise.all(queries));
      const source = plan.rollupDays && plan.eventRanges.length > 0 ? 'ROLLUPS_AND_EVENTS' : plan.rollupDays ? 'ROLLUPS' : 'EVENTS';
      return { totals, series: series.slice(0, SERIES_LIMIT), source };
    },

    async findById(id) {
      if (!isUuid(id)) return null;
      const [row] = await db.select().from(usageEvents).where(eq(usageEvents.id, id));
      return row ? toUsageRecord(row) : null;
    },

    async list(filter, first, after) {
      // Ids are UUIDv7, so a cursor is a position in time; text that is not one is past every event.
      if (after && !isUuid(after)) return { items: [], hasMore: false };
      const conditions = eventConditions(filter);
      if (after) conditions.push(lt(usageEvents.id, after));
      const page = await pageOf(first, (limit) => db.select().from(usageEvents).where(allOf(conditions)).orderBy(desc(usageEvents.id)).limit(limit));
      return { items: page.items.map(toUsageRecord), hasMore: page.hasMore };
    },

    async count(filter) {
      const conditions = eventConditions(filter);
      // count(*) is a bigint; drivers return it as a string or a bigint.
      const [row] = await db.select({ count: sql<string | bigint>`count(*)` }).from(usageEvents).where(allOf(conditions));
      return Number(row?.count ?? 0);
    },
  };
}
