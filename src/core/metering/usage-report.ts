// Usage reports: what can be asked (filter, grouping) and the pure parts of answering it. Whole
// UTC days come from the daily rollups; the partial days at either end of a range that does not
// start or end at midnight come from the raw events, and the two are merged.
import type { UsageRecord } from '../metering.ts';

export const USAGE_GROUPINGS = ['DAY', 'KEY', 'TEAM', 'USER', 'END_USER', 'MODEL', 'PROVIDER'] as const;
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
}

export const emptyFilter = (): UsageFilter => ({ from: null, to: null, keyIds: null, teamIds: null, userIds: null, endUsers: null, models: null, providers: null });

export interface UsageTotals {
  requests: number;
  failedRequests: number;
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
}

const DAY_MS = 86_400_000;
const floorDay = (time: number) => Math.floor(time / DAY_MS) * DAY_MS;
const ceilDay = (time: number) => Math.ceil(time / DAY_MS) * DAY_MS;

export interface UsagePlan {
  /** Whole UTC days [fromDay, toDay) from the rollups (null bounds are open), or null for none. */
  rollupDays: { from: string | null; to: string | null } | null;
  /** Time ranges [from, to) read from the raw events. */
  eventRanges: Array<{ from: Date | null; to: Date | null }>;
}

export const isoDay = (time: number): string => new Date(time).toISOString().slice(0, 10);

/** Splits [from, to) into whole days (rollups) and partial-day edges (events). */
export function planUsageQuery(from: Date | null, to: Date | null): UsagePlan {
  const start = from?.getTime() ?? null;
  const end = to?.getTime() ?? null;
  const wholeFrom = start === null ? null : ceilDay(start);
  const wholeTo = end === null ? null : floorDay(end);
  if (wholeFrom !== null && wholeTo !== null && wholeFrom >= wholeTo) {
    return { rollupDays: null, eventRanges: start !== null && end !== null && start >= end ? [] : [{ from, to }] };
  }
  const eventRanges: UsagePlan['eventRanges'] = [];
  if (start !== null && wholeFrom !== start) eventRanges.push({ from, to: new Date(wholeFrom!) });
  if (end !== null && wholeTo !== end) eventRanges.push({ from: new Date(wholeTo!), to });
  return { rollupDays: { from: wholeFrom === null ? null : isoDay(wholeFrom), to: wholeTo === null ? null : isoDay(wholeTo) }, eventRanges };
}

export const zeroTotals = (): UsageTotals => ({
  requests: 0,
  failedRequests: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicro: 0n,
});

function add(into: UsageTotals, row: UsageTotals): void {
  into.requests += row.requests;
  into.failedRequests += row.failedRequests;
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.cachedInputTokens += row.cachedInputTokens;
  into.cacheWriteTokens += row.cacheWriteTokens;
  into.reasoningTokens += row.reasoningTokens;
  into.costMicro += row.costMicro;
}

const groupKey = (row: UsageGroupRow) => JSON.stringify([row.day, row.keyId, row.teamId, row.userId, row.endUser, row.model, row.providerId]);

/** Sums rows of the same group (from rollups and events), sorted by day then cost, dearest first. */
export function mergeUsageRows(parts: UsageGroupRow[][]): { totals: UsageTotals; series: UsageGroupRow[] } {
  const groups = new Map<string, UsageGroupRow>();
  const totals = zeroTotals();
  for (const rows of parts) {
    for (const row of rows) {
      add(totals, row);
      const key = groupKey(row);
      const existing = groups.get(key);
      if (existing) add(existing, row);
      else groups.set(key, { ...row });
    }
  }
  const series = [...groups.values()].sort((a, b) => (a.day ?? '').localeCompare(b.day ?? '') || (b.costMicro > a.costMicro ? 1 : b.costMicro < a.costMicro ? -1 : 0) || b.requests - a.requests);
  return { totals, series };
}
