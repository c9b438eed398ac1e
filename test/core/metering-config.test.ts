// The `metering:` section of the config file.
import { describe, expect, it } from 'vitest';
import { configProblems, loadConfigFile as load } from '../helpers/config-files.ts';

describe('metering config', () => {
  it('defaults to a 250 ms flush, a 100k buffer, no retention limit and serving budgeted requests when the database is down', () => {
    expect(load(null).metering).toEqual({ flushIntervalMs: 250, bufferLimit: 100_000, budgetsWhenDatabaseUnavailable: 'serve', budgetLeaseTtlMs: 30_000 });
    expect(load('metering:\n  retentionDays: 7\n').metering.budgetsWhenDatabaseUnavailable).toBe('serve');
  });

  it('reads flushIntervalMs, bufferLimit, retentionDays, budgetsWhenDatabaseUnavailable and budgetLeaseTtlMs', () => {
    expect(load('metering:\n  flushIntervalMs: 100\n  bufferLimit: 5000\n  retentionDays: 30\n  budgetsWhenDatabaseUnavailable: refuse\n  budgetLeaseTtlMs: 5000\n').metering).toEqual({
      budgetLeaseTtlMs: 5000,
      flushIntervalMs: 100,
      bufferLimit: 5000,
      retentionDays: 30,
      budgetsWhenDatabaseUnavailable: 'refuse',
    });
  });

  it('rejects an unknown budgetsWhenDatabaseUnavailable, naming the values it takes', () => {
    expect(configProblems(() => load('metering:\n  budgetsWhenDatabaseUnavailable: deny\n'))).toEqual([
      'metering.budgetsWhenDatabaseUnavailable: expected "serve" or "refuse", got "deny"',
    ]);
  });

  it('names the field of an invalid value', () => {
    expect(configProblems(() => load('metering:\n  retentionDays: 0\n  flushEvery: 3\n')).join('\n')).toMatch(/metering/);
  });
});
