// The access log's timestamp is pino's ISO form, built faster (the part up to the second is kept
// for a second): it must be the same text as `toISOString()` for any time, in any order.
import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../src/app/logger.ts';

const pinoIso = (time: number) => `,"time":"${new Date(time).toISOString()}"`;

describe('log timestamps', () => {
  it('equal pino\'s isoTime across millisecond, second, minute, day and year boundaries, in and out of order', () => {
    const instants = [
      Date.UTC(2026, 11, 6, 18, 10, 5, 0),
      Date.UTC(2026, 11, 6, 18, 10, 5, 7),
      Date.UTC(2026, 11, 6, 18, 10, 5, 42),
      Date.UTC(2026, 11, 6, 18, 10, 5, 999),
      Date.UTC(2026, 11, 6, 18, 10, 6, 0),
      Date.UTC(2026, 11, 6, 18, 10, 5, 500),
      Date.UTC(2026, 11, 6, 18, 59, 59, 999),
      Date.UTC(2026, 11, 6, 19, 0, 0, 1),
      Date.UTC(2026, 11, 31, 23, 59, 59, 998),
      Date.UTC(2027, 0, 1, 0, 0, 0, 10),
    ];
    for (const time of instants) expect(isoTimestamp(time)).toBe(pinoIso(time));
    for (let time = Date.UTC(2026, 11, 6, 18, 10, 4, 900); time < Date.UTC(2026, 11, 6, 18, 10, 6, 100); time += 1) {
      expect(isoTimestamp(time)).toBe(pinoIso(time));
    }
  });

  it('takes the current time by default', () => {
    const before = Date.now();
    const parsed = Date.parse(JSON.parse(`{${isoTimestamp().slice(1)}}`).time);
    expect(parsed).toBeGreaterThanOrEqual(before);
    expect(parsed).toBeLessThanOrEqual(Date.now());
  });
});
