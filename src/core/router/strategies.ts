// The order in which a group's eligible deployments are tried. The first is the strategy's choice;
// the rest are the in-group fallbacks. Ties (and the weighted-random strategy itself) are broken by
// a weighted shuffle driven by the injected random source, so tests are deterministic.
import type { Deployment } from '../deployments.ts';
import type { DeploymentStatsView } from './deployment-stats.ts';
import type { RoutingStrategy } from './router-settings.ts';
import type { RoutingSort } from './routing-preferences.ts';

export interface RankedDeployment {
  deployment: Deployment;
  stats: DeploymentStatsView;
  requestsThisMinute: number;
  tokensThisMinute: number;
}

export interface StrategyContext {
  random(): number;
  streamed: boolean;
  promptTokens: number;
  /** Output tokens assumed when pricing the request. */
  outputTokens: number;
}

type Order = (items: RankedDeployment[], context: StrategyContext) => RankedDeployment[];

/** Efraimidis-Spirakis: sorting by random^(1/weight) samples without replacement in proportion to weight. */
export function weightedShuffle<T>(items: readonly T[], weight: (item: T) => number, random: () => number): T[] {
  return items
    .map((item) => ({ item, key: Math.pow(Math.max(random(), Number.MIN_VALUE), 1 / Math.max(weight(item), 1e-9)) }))
    .sort((a, b) => b.key - a.key)
    .map((entry) => entry.item);
}

/** Shuffles by weight, then stable-sorts by the key (ascending; null last). */
function byKey(key: (item: RankedDeployment, context: StrategyContext) => number | null): Order {
  return (items, context) => {
    const keyed = weightedShuffle(items, (item) => item.deployment.weight, context.random).map((item) => ({ item, value: key(item, context) }));
    keyed.sort((a, b) => (a.value === null ? (b.value === null ? 0 : 1) : b.value === null ? -1 : a.value - b.value));
    return keyed.map((entry) => entry.item);
  };
}

/** The catalog price of the request's estimated tokens, in micro-USD per 1M requests (null when unknown). */
export function estimatedCost(deployment: Deployment, context: StrategyContext): number | null {
  const { pricing } = deployment;
  if (!pricing) return null;
  return Number(BigInt(context.promptTokens) * pricing.input + BigInt(context.outputTokens) * pricing.output);
}

/** Unmeasured deployments count as fastest, so each gets measured. */
function latencyOf(item: RankedDeployment, context: StrategyContext): number {
  const { latencyMs, timeToFirstTokenMs } = item.stats;
  return (context.streamed ? (timeToFirstTokenMs ?? latencyMs) : (latencyMs ?? timeToFirstTokenMs)) ?? 0;
}

/** The smallest share of an rpm or tpm cap still free this minute (1 without caps). */
export function headroom(item: RankedDeployment): number {
  const { rpm, tpm } = item.deployment;
  let free = 1;
  if (rpm) free = Math.min(free, 1 - item.requestsThisMinute / rpm);
  if (tpm) free = Math.min(free, 1 - item.tokensThisMinute / tpm);
  return free;
}

const STRATEGIES: Record<RoutingStrategy, Order> = {
  'weighted-random': (items, context) => weightedShuffle(items, (item) => item.deployment.weight, context.random),
  'least-in-flight': byKey((item) => item.stats.inFlight),
  'lowest-latency': byKey(latencyOf),
  'lowest-cost': byKey((item, context) => estimatedCost(item.deployment, context)),
  'usage-based': byKey((item) => -headroom(item)),
};

const SORTS: Record<RoutingSort, Order> = {
  price: STRATEGIES['lowest-cost'],
  latency: STRATEGIES['lowest-latency'],
  // Unmeasured deployments first, so each gets measured; then the highest throughput.
  throughput: byKey((item) => (item.stats.tokensPerSecond === null ? Number.NEGATIVE_INFINITY : -item.stats.tokensPerSecond)),
};

/**
 * Orders a group's deployments. A group strategy keeps the priority tiers (lower priority first,
 * the strategy within each tier); a sort the request asked for ranks all deployments together.
 */
export function orderDeployments(
  items: RankedDeployment[],
  choice: { strategy: RoutingStrategy; sort: RoutingSort | undefined },
  context: StrategyContext,
): RankedDeployment[] {
  if (choice.sort) return SORTS[choice.sort](items, context);
  const tiers = new Map<number, RankedDeployment[]>();
  for (const item of items) {
    const tier = tiers.get(item.deployment.priority) ?? [];
    tier.push(item);
    tiers.set(item.deployment.priority, tier);
  }
  return [...tiers.entries()].sort(([a], [b]) => a - b).flatMap(([, tier]) => STRATEGIES[choice.strategy](tier, context));
}
