// The shortage message between instances: what one instance publishes, another must read back as
// the same budget period, and anything else on the topic is ignored rather than thrown on.
import { describe, expect, it } from 'vitest';
import { parseShortage, shortageId } from '../../src/core/metering/budget-shortage.ts';

describe('budget shortage messages', () => {
  it('reads back the instance and the budget period that was published', () => {
    const key = { scope: 'TEAM' as const, scopeId: 'team-1', periodStart: new Date('2026-12-01T00:00:00Z') };
    expect(parseShortage(shortageId('instance-a', key))).toEqual({ instanceId: 'instance-a', key });
  });

  it('ignores a message that is not a shortage', () => {
    for (const id of ['not json', '{}', '["instance-a","TEAM","team-1"]', 'null']) expect(parseShortage(id)).toBeNull();
  });
});
