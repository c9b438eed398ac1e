// ApiKey.budget: a key's own budget with its spend in the current period, for admin lists (the
// console's keys page shows it per key). One ledger read per GraphQL request, however many keys.
import DataLoader from 'dataloader';
import type { ApiKey } from '../../core/keys/types.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { ApiKeyRef } from './api-key.ts';
import { BudgetStatusRef, type BudgetStatus } from './me.ts';

const loaders = new WeakMap<GraphQLContext, DataLoader<ApiKey, BudgetStatus, string>>();

function budgetLoader(context: GraphQLContext): DataLoader<ApiKey, BudgetStatus, string> {
  let loader = loaders.get(context);
  if (!loader) {
    loader = new DataLoader<ApiKey, BudgetStatus, string>(
      (keys) =>
        context.services.budgets.status(
          keys.map((key) => ({ scope: 'KEY' as const, scopeId: key.id, amountMicro: key.maxBudgetMicro!, period: key.budgetPeriod ?? 'LIFETIME' })),
        ),
      { cacheKeyFn: (key) => key.id },
    );
    loaders.set(context, loader);
  }
  return loader;
}

builder.objectField(ApiKeyRef, 'budget', (t) =>
  t.field({
    type: BudgetStatusRef,
    nullable: true,
    description: "The key's own budget (limits.maxBudget) with what was spent and reserved in its current period; null without one.",
    resolve: (key, _args, context) => (key.maxBudgetMicro == null ? null : budgetLoader(context).load(key)),
  }),
);
