// Usage records for metering tests: valid, varied over three keys and an end user.
import { uuidv7 } from 'uuidv7';
import type { UsageRecord } from '../../src/core/metering/metering-ports.ts';

let sequence = 0;
/** A successful request's record; `overrides` replace any field. */
export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence++;
  return {
    id: uuidv7(),
    createdAt: new Date(),
    keyId: `key-${sequence % 3}`,
    teamId: null,
    userId: null,
    endUser: sequence % 2 ? 'end-user-1' : null,
    requestedModel: 'chat',
    model: 'chat',
    deploymentId: 'd1',
    providerId: 'sim',
    upstreamModel: 'mock-small',
    usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 2, cacheWriteTokens: 0, reasoningTokens: 1 },
    cost: 1500n,
    latencyMs: 12,
    timeToFirstTokenMs: null,
    status: 'SUCCESS',
    errorCode: null,
    attempts: [{ deploymentId: 'd1', modelName: 'chat', providerId: 'sim', upstreamModel: 'mock-small', errorCode: null, errorMessage: null, upstreamStatus: null, latencyMs: 12, retry: 0, backoffMs: 0 }],
    streamed: false,
    cancelledByClient: false,
    requestId: null,
    cacheHit: false,
    ...overrides,
  };
}

