// Sampling, output format and thinking options -> Gemini `generationConfig`, following the
// Gemini API reference (GenerationConfig, ThinkingConfig) and the thinking guide
// (https://ai.google.dev/gemini-api/docs/thinking).
import type { ChatRequest, ReasoningEffort, ReasoningOptions } from '../../core/types.ts';
import type { GeminiGenerationConfig, GeminiThinkingConfig } from './gemini-wire-types.ts';
import { toGeminiJsonSchema } from './gemini-json-schema.ts';

/**
 * Budgets for an effort given without budgetTokens (the same table LiteLLM uses for Gemini 2.5).
 * Gemini 3 models also accept thinkingBudget, so one table serves both generations.
 */
const thinkingBudgetByEffort: Record<ReasoningEffort, number> = {
  minimal: 128,
  low: 1024,
  medium: 2048,
  high: 4096,
};

/** Returns undefined when the request sets nothing, so the body carries no empty object. */
export function buildGeminiGenerationConfig(request: ChatRequest): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  const format = request.responseFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseJsonSchema = toGeminiJsonSchema(format.schema);
  }
  if (request.reasoning !== undefined) config.thinkingConfig = buildThinkingConfig(request.reasoning);
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Thought summaries are asked for whenever thinking is on, so reasoning can be reported. */
function buildThinkingConfig(reasoning: ReasoningOptions): GeminiThinkingConfig {
  const budget = reasoning.budgetTokens ?? (reasoning.effort === undefined ? undefined : thinkingBudgetByEffort[reasoning.effort]);
  if (budget === 0) return { thinkingBudget: 0 };
  return budget === undefined ? { includeThoughts: true } : { thinkingBudget: budget, includeThoughts: true };
}
