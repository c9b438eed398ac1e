import type { ReasoningEffort } from '../../core/types.ts';

/**
 * A thinking budget as an effort, for providers that take only an effort (OpenAI). Providers
 * that take a budget (Anthropic, Gemini) use the budget and ignore this. The steps mirror the
 * Anthropic adapter's effort budgets (low 1024, medium 4096, high 16384).
 */
export function effortForBudget(budgetTokens: number): ReasoningEffort {
  if (budgetTokens < 4096) return 'low';
  if (budgetTokens < 16384) return 'medium';
  return 'high';
}
