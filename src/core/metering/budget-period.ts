// Budget periods at UTC calendar boundaries: a day starts at 00:00 UTC, a week on Monday 00:00 UTC,
// a month on the 1st at 00:00 UTC. A LIFETIME budget has one period that never resets.
import type { BudgetPeriod } from '../keys/types.ts';

const DAY_MS = 86_400_000;

/** The first instant (ms since the epoch) of the period containing `now`; 0 for LIFETIME. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'DAILY':
      return midnight;
    case 'WEEKLY':
      // getUTCDay: Sunday 0 ... Saturday 6; Monday starts the week.
      return midnight - ((date.getUTCDay() + 6) % 7) * DAY_MS;
    case 'MONTHLY':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'LIFETIME':
      return 0;
  }
}

/** When the period containing `now` ends and the budget resets; null for LIFETIME. */
export function periodEnd(period: BudgetPeriod, now: number): number | null {
  const start = periodStart(period, now);
  switch (period) {
    case 'DAILY':
      return start + DAY_MS;
    case 'WEEKLY':
      return start + 7 * DAY_MS;
    case 'MONTHLY': {
      const date = new Date(start);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
    case 'LIFETIME':
      return null;
  }
}
