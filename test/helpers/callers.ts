// A caller as the key authenticator hands it to the core: an INFERENCE key without a team, with the
// given key limits (none set unless given).
import type { Caller } from '../../src/core/auth.ts';

export function keyCaller(keyId: string, keyName: string, limits: Partial<NonNullable<Caller['keyLimits']>> = {}): Caller {
  return {
    keyId,
    keyName,
    isMasterKey: false,
    teamId: null,
    userId: null,
    scopes: ['INFERENCE'],
    allowedModels: null,
    teamAllowedModels: null,
    modelAliases: {},
    keyLimits: { maxBudgetMicro: null, budgetPeriod: null, rpmLimit: null, tpmLimit: null, maxParallelRequests: null, ...limits },
    teamLimits: null,
  };
}
