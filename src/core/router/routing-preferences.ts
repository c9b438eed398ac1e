// A request's routing preferences, with OpenRouter's `provider` object semantics, and the model
// name suffixes `:floor` (cheapest first) and `:nitro` (fastest first).

export type RoutingSort = 'price' | 'latency' | 'throughput';

export interface RoutingPreferences {
  /** Providers (ids) to try first, in this order. */
  order?: string[];
  /** Only these providers may serve the request. */
  only?: string[];
  /** These providers may not serve the request. */
  ignore?: string[];
  /**
   * Whether other providers may serve when the preferred ones fail (default true). When false,
   * only the providers in `order` are used, or only the first choice when there is no `order`.
   */
  allowFallbacks?: boolean;
  /** Replaces the group's strategy: cheapest, lowest latency or highest throughput first. */
  sort?: RoutingSort;
  /** Micro-USD per 1M tokens; deployments dearer than this (or without a known price) are skipped. */
  maxPrice?: { input?: bigint; output?: bigint };
  /** Only deployments whose model supports every feature the request uses (tools, JSON schema, vision, reasoning). */
  requireParameters?: boolean;
  /** The whole request's deadline in milliseconds, retries and fallbacks included. */
  timeoutMs?: number;
}

const SUFFIX_SORTS: Record<string, RoutingSort> = { floor: 'price', nitro: 'throughput' };

/** Splits `name:floor` / `name:nitro` into the name and its sort; other names are returned as they are. */
export function parseModelSuffix(name: string): { name: string; sort: RoutingSort | undefined } {
  const colon = name.lastIndexOf(':');
  if (colon > 0) {
    const sort = SUFFIX_SORTS[name.slice(colon + 1)];
    if (sort) return { name: name.slice(0, colon), sort };
  }
  return { name, sort: undefined };
}
