import type { UsageRecord } from '../metering.ts';

/** Committed usage records, live (the `usageEvents` subscription). */
export interface UsageFeed {
  publish(records: readonly UsageRecord[]): void;
  /** Every record published from now on (by any instance), until the iterator is returned. */
  subscribe(): AsyncIterable<UsageRecord>;
  close(): Promise<void>;
}

/** What the usage writer reports in `health { metering }`. */
export interface MeteringStatus {
  buffered: number;
  dropped: number;
  written: number;
  /** Records the database refused for good, kept for an operator (usage_dead_letters). */
  deadLettered: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  databaseReachable: boolean;
}
