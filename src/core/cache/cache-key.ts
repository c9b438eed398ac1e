// The response cache's key: a SHA-256 of a canonical JSON (object keys sorted, undefined left out)
// of what decides the answer, prefixed by its scope (a team, a key without a team, or everyone
// when the cache is shared) and its kind. What does not decide the answer (the end-user id,
// metadata, the stream flag) is not part of it, so a streamed request finds a non-streamed answer.
import { createHash } from 'node:crypto';
import type { Caller } from '../auth.ts';
import type { CompletionRequest, EmbeddingsRequest } from '../requests/request-types.ts';

export type CacheKind = 'chat' | 'embeddings';

/** Who may share an entry: a team, a key that has no team, or every caller (`cache.sharedAcrossTeams`). */
export interface CacheScope {
  teamId: string | null;
  keyId: string | null;
}

export function cacheScopeOf(caller: Caller | undefined, sharedAcrossTeams: boolean): CacheScope {
  if (sharedAcrossTeams) return { teamId: null, keyId: null };
  if (caller?.teamId) return { teamId: caller.teamId, keyId: null };
  return { teamId: null, keyId: caller?.keyId ?? null };
}

function scopePrefix(scope: CacheScope): string {
  if (scope.teamId) return `team:${scope.teamId}`;
  if (scope.keyId) return `key:${scope.keyId}`;
  return 'shared';
}

/** JSON with object keys sorted at every level: equal values give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** What of a chat request decides its answer. */
export function chatKeyMaterial(request: CompletionRequest): unknown {
  const p = request.parameters;
  return {
    model: request.model,
    fallbackModels: request.fallbackModels,
    messages: p.messages,
    tools: p.tools,
    toolChoice: p.toolChoice,
    parallelToolCalls: p.parallelToolCalls,
    responseFormat: p.responseFormat,
    reasoning: p.reasoning,
    temperature: p.temperature,
    topP: p.topP,
    maxOutputTokens: p.maxOutputTokens,
    stop: p.stop,
    seed: p.seed,
  };
}

export function embeddingsKeyMaterial(request: EmbeddingsRequest): unknown {
  return { model: request.model, input: request.input, dimensions: request.dimensions, inputType: request.inputType };
}

export function cacheKey(kind: CacheKind, scope: CacheScope, material: unknown): string {
  const digest = createHash('sha256').update(canonicalJson(material)).digest('hex');
  return `${scopePrefix(scope)}:${kind}:${digest}`;
}
