import type { Caller } from './auth.ts';
import { ForbiddenError } from './errors.ts';

/** Applies the caller's model aliases (one step, no chains). */
export function resolveModelAlias(caller: Caller | undefined, model: string): string {
  return caller?.modelAliases[model] ?? model;
}

/**
 * Whether a pattern admits a model: an exact public name or group name, `*` for any, or
 * `provider/*` for every model of that provider (by catalog id prefix or serving provider).
 */
export function patternAllows(pattern: string, model: string, providerIds: readonly string[]): boolean {
  if (pattern === '*' || pattern === model) return true;
  if (pattern.endsWith('/*')) {
    const provider = pattern.slice(0, -2);
    return model.startsWith(`${provider}/`) || providerIds.includes(provider);
  }
  return false;
}

/** Throws FORBIDDEN with the reason when the caller may not use the model. */
export function assertModelAllowed(caller: Caller | undefined, model: string, providerIds: readonly string[]): void {
  if (!caller || caller.isMasterKey) return;
  if (!caller.scopes.includes('INFERENCE')) throw new ForbiddenError('This API key lacks the INFERENCE scope');
  const admits = (patterns: string[] | null) => patterns === null || patterns.some((pattern) => patternAllows(pattern, model, providerIds));
  if (!admits(caller.allowedModels)) throw new ForbiddenError(`This API key may not use the model "${model}"`);
  if (!admits(caller.teamAllowedModels)) throw new ForbiddenError(`This API key's team may not use the model "${model}"`);
}

/** Whether the caller may use the model (for listings: no reason needed, nothing thrown). */
export function isModelAllowed(caller: Caller | undefined, model: string, providerIds: readonly string[]): boolean {
  try {
    assertModelAllowed(caller, model, providerIds);
    return true;
  } catch {
    return false;
  }
}
