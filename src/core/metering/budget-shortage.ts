// The last cents of a budget: when a request's need is stranded in other instances' leases, its
// instance signals a shortage on the ChangeFeed; the others give back their idle room on that budget
// and hold none for a while (see budget-leases.ts). Here: the topic, its timings and the message id.
import type { SpendKey } from './budget-lease-store.ts';

/** The ChangeFeed topic of shortages; the id is JSON: [instance id, scope, scope id, period start ms]. */
export const BUDGET_SHORTAGE_TOPIC = 'budget-shortage';

/** How long a request whose room is stranded in other instances' leases waits for them to give it back. */
export const SHORTAGE_WAIT_MS = 1000;
/** How long an instance told of a shortage holds no idle room on that budget. */
export const SHORTAGE_HOLD_MS = 2000;
/** The requester's first retry after signalling a shortage; each next one waits twice as long. */
export const SHORTAGE_FIRST_RETRY_MS = 5;

export function shortageId(instanceId: string, key: SpendKey): string {
  return JSON.stringify([instanceId, key.scope, key.scopeId, key.periodStart.getTime()]);
}

/** The shortage a message names, or null when it is not one (a message from another version is ignored). */
export function parseShortage(id: string): { instanceId: string; key: SpendKey } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(id);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return null;
  const [instanceId, scope, scopeId, periodStartMs] = parsed as [string, SpendKey['scope'], string, number];
  return { instanceId, key: { scope, scopeId, periodStart: new Date(periodStartMs) } };
}
