// User and end-user budgets (key and team budgets are part of their limits): admin mutations,
// audited, and a list with each budget's spend in its current period.
import type { BudgetWithSpend } from '../../core/metering/budget-service.ts';
import { parseUsd } from '../../core/money.ts';
import { adminMutation, adminScope, callerOf } from '../admin-mutation.ts';
import { builder } from '../builder.ts';
import { BudgetPeriodEnum } from './limits.ts';

const BudgetScopeEnum = builder.enumType('BudgetScope', {
  description: 'Who a stored budget limits; key and team budgets are set through their limits.',
  values: ['USER', 'END_USER'] as const,
});

const BudgetRef = builder.objectRef<BudgetWithSpend>('Budget').implement({
  description: 'A spending limit per period. Requests reserve their maximum cost before the upstream call and are refused with BUDGET_EXCEEDED when it does not fit.',
  fields: (t) => ({
    scope: t.field({ type: BudgetScopeEnum, resolve: (b) => b.scope }),
    scopeId: t.exposeString('scopeId', { description: 'The user id, or the end-user string (OpenAI `user`).' }),
    amount: t.field({ type: 'Money', resolve: (b) => b.amountMicro }),
    period: t.field({ type: BudgetPeriodEnum, resolve: (b) => b.period }),
    spent: t.field({ type: 'Money', description: 'Spent in the current period.', resolve: (b) => b.spentMicro }),
    reserved: t.field({ type: 'Money', description: 'Held by requests in flight (as of each instance\'s last sync with the database).', resolve: (b) => b.reservedMicro }),
    leased: t.field({
      type: 'Money',
      description: 'Held in escrow by gateway instances to admit requests without a database round trip; in-flight reservations are part of it. Returns to the budget when unused.',
      resolve: (b) => b.leasedMicro ?? 0n,
    }),
    periodStart: t.field({ type: 'DateTime', resolve: (b) => b.periodStart }),
    resetsAt: t.field({ type: 'DateTime', nullable: true, description: 'Null for LIFETIME budgets.', resolve: (b) => b.resetsAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (b) => b.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (b) => b.updatedAt }),
  }),
});

const SetBudgetInput = builder.inputType('SetBudgetInput', {
  fields: (t) => ({
    scope: t.field({ type: BudgetScopeEnum, required: true }),
    scopeId: t.string({ required: true }),
    amount: t.field({ type: 'Money', required: true }),
    period: t.field({ type: BudgetPeriodEnum, required: true }),
  }),
});


builder.mutationFields((t) => ({
  setBudget: t.field({
    type: BudgetRef,
    ...adminMutation,
    description: 'Creates or replaces the budget of a user or an end user.',
    args: { input: t.arg({ type: SetBudgetInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const budget = await context.services.budgets.setBudget(callerOf(context), {
        scope: input.scope,
        scopeId: input.scopeId,
        amountMicro: parseUsd(input.amount),
        period: input.period,
      });
      return (await context.services.budgets.withSpend([budget]))[0]!;
    },
  }),
  deleteBudget: t.field({
    type: BudgetRef,
    ...adminMutation,
    args: { scope: t.arg({ type: BudgetScopeEnum, required: true }), scopeId: t.arg.string({ required: true }) },
    resolve: async (_root, { scope, scopeId }, context) => {
      const budget = await context.services.budgets.deleteBudget(callerOf(context), scope, scopeId);
      return (await context.services.budgets.withSpend([budget]))[0]!;
    },
  }),
}));

builder.queryField('budgets', (t) =>
  t.field({
    type: [BudgetRef],
    authScopes: adminScope,
    args: { scope: t.arg({ type: BudgetScopeEnum, required: false }) },
    resolve: (_root, { scope }, context) => context.services.budgets.list(scope ?? null),
  }),
);
