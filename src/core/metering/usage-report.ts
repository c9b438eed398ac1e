// Usage reports: what can be asked (filter, grouping) and the pure parts of answering it. Whole
// UTC days come from the daily rollups; of a partial day at either end of a range, the smaller part
// comes from the raw events, added or subtracted, and the parts are merged per group.
import type { UsageRecord } from './metering-ports.ts';

export const USAGE_GROUPINGS = ['DAY', 'KEY', 'TEAM', 'USER', 'END_USER', 'MODEL', 'PROVIDER', 'CACHE_HIT'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface UsageFilter {
  /** Inclusive. */
  from: Date | null;
  /** Exclusive. */
  to: Date | null;
  keyIds: string[] | null;
  teamIds: string[] | null;
  userIds: string[] | null;
  endUsers: string[] | null;
  /** The model that served (or the requested one when none did). */
  models: string[] | null;
  providers: string[] | null;
  /** true: only hits of the response cache; false: only requests that were not. */
  cacheHit: boolean | null;
}

export const emptyFilter = (): UsageFilter => ({ from: null, to: null, keyIds: null, teamIds: null, userIds: null, endUsers: null, models: null, providers: null, cacheHit: null });

export interface UsageTotals {
  requests: number;
  failedRequests: number;
  /** Requests answered from the response cache. */
  cacheHits: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  costMicro: bigint;
}

/** One group of a report; the dimensions not grouped by are null. */
export interface UsageGroupRow extends UsageTotals {
  day: string | null;
  keyId: string | null;
  teamId: string | null;
  userId: string | null;
  endUser: string | null;
  model: string | null;
  providerId: string | null;
  /** Grouped by CACHE_HIT: whether the group's requests were answered from the response cache. */
  cacheHit: boolean | null;
}

export type UsageSource = 'ROLLUPS' | 'EVENTS' | 'ROLLUPS_AND_EVENTS';

export interface UsageReport {
  totals: UsageTotals;
  series: UsageGroupRow[];
  source: UsageSource;
}

export interface UsagePage {
  items: UsageRecord[];
  hasMore: boolean;
}

export interface UsageRepository {
  report(filter: UsageFilter, groupBy: readonly UsageGrouping[]): Promise<UsageReport>;
  findById(id: string): Promise<UsageRecord | null>;
  /** Newest first; keyset pagination by id (UUIDv7 ids are time-ordered). */
  list(filter: UsageFilter, first: number, after: string | null): Promise<UsagePage>;
  /** How many written events the filter matches (every page): a count over the raw events of the range. */
  count(filter: UsageFilter): Promise<number>;
}

const DAY_MS = 86_400_000;
const floorDay = (time: number) => Math.floor(time / DAY_MS) * DAY_MS;
const ceilDay = (time: number) => Math.ceil(time / DAY_MS) * DAY_MS;

export interface UsagePlan {
  /** Whole UTC days [fromDay, toDay) from the rollups (null bounds are open), or null for none. */
  rollupDays: { from: string | null; to: string | null } | null;
  /**
   * Time ranges [from, to) read from the raw events: added (sign 1), or subtracted (sign -1) where
   * a whole day was taken from the rollups of which the range wants only a part.
   */
  eventRanges: Array<{ from: Date | null; to: Date | null; sign: 1 | -1 }>;
}

export const isoDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/**
 * Splits [from, to) into whole days (rollups) and partial-day edges (events). Of a partial day,
 * the smaller part is read from the events: a range starting at 06:00 takes the whole day from the
 * rollups and subtracts 00:00-06:00, one starting at 18:00 adds 18:00-24:00. So an edge never
 * reads more than half a day of events. Ranges shorter than that come from the events alone.
 */
export function planUsageQuery(from: Date | null, to: Date | null): UsagePlan {
  const start = from?.getTime() ?? null;
  const end = to?.getTime() ?? null;
  if (start !== null && end !== null && start >= end) return { rollupDays: null, eventRanges: [] };
  const eventRanges: UsagePlan['eventRanges'] = [];
  let rollupFrom = start;
  let rollupTo = end;
  if (start !== null && start !== floorDay(start)) {
    const dayStart = floorDay(start);
    const dayEnd = dayStart + DAY_MS;
    if (start - dayStart <= dayEnd - start) {
      rollupFrom = dayStart;
      eventRanges.push({ from: new Date(dayStart), to: from, sign: -1 });
    } else {
      rollupFrom = dayEnd;
      eventRanges.push({ from, to: new Date(dayEnd), sign: 1 });
    }
  }
  if (end !== null && end !== floorDay(end)) {
    const dayStart = floorDay(end);
    const dayEnd = dayStart + DAY_MS;
    if (end - dayStart <= dayEnd - end) {
      rollupTo = dayStart;
      eventRanges.push({ from: new Date(dayStart), to, sign: 1 });
    } else {
      rollupTo = dayEnd;
      eventRanges.push({ from: to, to: new Date(dayEnd), sign: -1 });
    }
  }
  if (rollupFrom !== null && rollupTo !== null && rollupFrom >= rollupTo) {
    return { rollupDays: null, eventRanges: [{ from, to, sign: 1 }] };
  }
  return { rollupDays: { from: rollupFrom === null ? null : isoDay(rollupFrom), to: rollupTo === null ? null : isoDay(rollupTo) }, eventRanges };
}

export const zeroTotals = (): UsageTotals => ({
  requests: 0,
  failedRequests: 0,
  cacheHits: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicro: 0n,
});

function add(into: UsageTotals, row: UsageTotals, sign: 1 | -1): void {
  into.requests += sign * row.requests;
  into.failedRequests += sign * row.failedRequests;
  into.cacheHits += sign * row.cacheHits;
  into.inputTokens += sign * row.inputTokens;
  into.outputTokens += sign * row.outputTokens;
  into.cachedInputTokens += sign * row.cachedInputTokens;
  into.cacheWriteTokens += sign * row.cacheWriteTokens;
  into.reasoningTokens += sign * row.reasoningTokens;
  into.costMicro += BigInt(sign) * row.costMicro;
}

const groupKey = (row: UsageGroupRow) => JSON.stringify([row.day, row.keyId, row.teamId, row.userId, row.endUser, row.model, row.providerId, row.cacheHit]);

/**
 * Sums rows of the same group (from rollups and events, subtracting parts of days the rollups
 * over-count); groups left without requests are dropped. Sorted by day, then dearest first.
 */
export function mergeUsageRows(parts: Array<{ rows: UsageGroupRow[]; sign: 1 | -1 }>): { totals: UsageTotals; series: UsageGroupRow[] } {
  const groups = new Map<string, UsageGroupRow>();
  const totals = zeroTotals();
  for (const { rows, sign } of parts) {
    for (const row of rows) {
      add(totals, row, sign);
      const key = groupKey(row);
      let group = groups.get(key);
      if (!group) {
        group = { ...row, ...zeroTotals() };
        groups.set(key, group);
      }
      add(group, row, sign);
    }
  }
  const series = [...groups.values()].filter((row) => row.requests > 0).sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '') || (b.costMicro > a.costMicro ? 1 : b.costMicro < a.costMicro ? -1 : 0) || b.requests - a.requests);
  return { totals, series };
}
