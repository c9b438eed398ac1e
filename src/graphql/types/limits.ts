// Budget and rate-limit fields shared by ApiKey and Team (inputs and outputs), and the other
// settings both inputs take (allowed models, metadata, the cache TTL).
import { GatewayError } from '../../core/errors.ts';
import type { CreateTeamInput, KeyLimitsInput } from '../../core/keys/admin-service.ts';
import type { Limits } from '../../core/keys/types.ts';
import { parseUsd } from '../../core/money.ts';
import { builder } from '../builder.ts';

export const BudgetPeriodEnum = builder.enumType('BudgetPeriod', {
  description: 'Budgets reset at UTC calendar boundaries (weeks start on Monday) or never (LIFETIME).',
  values: ['DAILY', 'WEEKLY', 'MONTHLY', 'LIFETIME'] as const,
});

export const LimitsRef = builder.objectRef<Limits>('Limits').implement({
  fields: (t) => ({
    maxBudget: t.field({ type: 'Money', nullable: true, resolve: (l) => l.maxBudgetMicro }),
    budgetPeriod: t.field({ type: BudgetPeriodEnum, nullable: true, resolve: (l) => l.budgetPeriod }),
    rpm: t.int({ nullable: true, description: 'Requests per minute.', resolve: (l) => l.rpmLimit }),
    tpm: t.int({ nullable: true, description: 'Tokens (input + output) per minute.', resolve: (l) => l.tpmLimit }),
    maxParallelRequests: t.int({ nullable: true, resolve: (l) => l.maxParallelRequests }),
  }),
});

export const LimitsInput = builder.inputType('LimitsInput', {
  description: 'Omitted fields stay as they are; null removes a limit.',
  fields: (t) => ({
    maxBudget: t.field({ type: 'Money', required: false }),
    budgetPeriod: t.field({ type: BudgetPeriodEnum, required: false }),
    rpm: t.int({ required: false }),
    tpm: t.int({ required: false }),
    maxParallelRequests: t.int({ required: false }),
  }),
});

type LimitsInputShape = typeof LimitsInput.$inferInput;

/** Keeps the difference between an omitted field (undefined) and an explicit null. */
export function toLimits(input: LimitsInputShape | null | undefined): KeyLimitsInput {
  if (!input) return {};
  const limits: KeyLimitsInput = {};
  if (input.maxBudget !== undefined) limits.maxBudgetMicro = input.maxBudget === null ? null : parseUsd(input.maxBudget);
  if (input.budgetPeriod !== undefined) limits.budgetPeriod = input.budgetPeriod;
  if (input.rpm !== undefined) limits.rpmLimit = input.rpm;
  if (input.tpm !== undefined) limits.tpmLimit = input.tpm;
  if (input.maxParallelRequests !== undefined) limits.maxParallelRequests = input.maxParallelRequests;
  return limits;
}

/** A JSON argument that must be an object (metadata, model aliases). */
export function jsonObjectOf(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError('INVALID_REQUEST', `${field}: must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

interface SharedSettingsInput {
  allowedModels?: string[] | null;
  metadata?: unknown;
  cacheTtlSeconds?: number | null;
  limits?: LimitsInputShape | null;
}

/** The settings a key and a team both have, as the admin service takes them; an omitted field stays out (an update leaves it as it is). */
export function sharedSettingsOf(input: SharedSettingsInput): Omit<CreateTeamInput, 'name'> {
  return {
    ...(input.allowedModels !== undefined ? { allowedModels: input.allowedModels } : {}),
    ...(input.metadata != null ? { metadata: jsonObjectOf(input.metadata, 'metadata') } : {}),
    ...(input.cacheTtlSeconds !== undefined ? { cacheTtlSeconds: input.cacheTtlSeconds } : {}),
    ...toLimits(input.limits),
  };
}
