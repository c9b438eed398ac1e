import type { Caller } from '../../core/auth.ts';
import type { Budget, BudgetSpend } from '../../core/metering/budgets.ts';
import { builder } from '../builder.ts';
import { ApiKeyRef, ScopeEnum } from './api-key.ts';
import { LimitsRef } from './limits.ts';
import { TeamRef } from './team.ts';

export type BudgetStatus = Budget & BudgetSpend & { periodStart: Date; resetsAt: Date | null };

export const BudgetStatusRef = builder.objectRef<BudgetStatus>('BudgetStatus').implement({
  description: "A key's or team's own budget with its spend in the current period.",
  fields: (t) => ({
    scope: t.string({ description: 'KEY or TEAM.', resolve: (b) => b.scope }),
    limit: t.field({ type: 'Money', resolve: (b) => b.amountMicro }),
    spent: t.field({ type: 'Money', resolve: (b) => b.spentMicro }),
    reserved: t.field({ type: 'Money', description: 'Held by requests in flight.', resolve: (b) => b.reservedMicro }),
    leased: t.field({ type: 'Money', description: 'Held in escrow by gateway instances (reservations included); returns to the budget when unused.', resolve: (b) => b.leasedMicro ?? 0n }),
    remaining: t.field({
      type: 'Money',
      resolve: (b) => {
        const left = b.amountMicro - b.spentMicro - b.reservedMicro;
        return left > 0n ? left : 0n;
      },
    }),
    periodStart: t.field({ type: 'DateTime', resolve: (b) => b.periodStart }),
    resetsAt: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.resetsAt }),
  }),
});

const MeRef = builder.objectRef<Caller>('Me').implement({
  description: 'The calling key: what it may do and its limits.',
  fields: (t) => ({
    keyId: t.exposeString('keyId'),
    name: t.exposeString('keyName'),
    isMasterKey: t.exposeBoolean('isMasterKey'),
    scopes: t.field({ type: [ScopeEnum], resolve: (caller) => caller.scopes }),
    allowedModels: t.stringList({ nullable: true, resolve: (caller) => caller.allowedModels }),
    teamAllowedModels: t.stringList({ nullable: true, resolve: (caller) => caller.teamAllowedModels }),
    team: t.field({ type: TeamRef, nullable: true, resolve: (caller, _args, context) => (caller.teamId ? context.loaders.team.load(caller.teamId) : null) }),
    limits: t.field({
      type: LimitsRef,
      nullable: true,
      description: "The key's own budget and rate limits (null for the MODELGRAPH_ADMIN_KEY master key).",
      resolve: (caller, _args, context) => (caller.keyId === 'master' ? null : context.loaders.apiKey.load(caller.keyId)),
    }),
    teamLimits: t.field({
      type: LimitsRef,
      nullable: true,
      resolve: (caller, _args, context) => (caller.teamId ? context.loaders.team.load(caller.teamId) : null),
    }),
    budgets: t.field({
      type: [BudgetStatusRef],
      description: "The key's and its team's budgets with what is left this period.",
      resolve: (caller, _args, context) => {
        const budgets: Budget[] = [];
        if (caller.keyLimits?.maxBudgetMicro != null) {
          budgets.push({ scope: 'KEY', scopeId: caller.keyId, amountMicro: caller.keyLimits.maxBudgetMicro, period: caller.keyLimits.budgetPeriod ?? 'LIFETIME' });
        }
        if (caller.teamId && caller.teamLimits?.maxBudgetMicro != null) {
          budgets.push({ scope: 'TEAM', scopeId: caller.teamId, amountMicro: caller.teamLimits.maxBudgetMicro, period: caller.teamLimits.budgetPeriod ?? 'LIFETIME' });
        }
        return budgets.length ? context.services.budgets.status(budgets) : [];
      },
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      nullable: true,
      description: 'The key record (null for the MODELGRAPH_ADMIN_KEY master key).',
      resolve: (caller, _args, context) => (caller.keyId === 'master' ? null : context.loaders.apiKey.load(caller.keyId)),
    }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: MeRef,
    resolve: (_root, _args, context) => context.caller!,
  }),
);
