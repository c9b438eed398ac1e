// Which of a group's deployments may serve a request now, and in which order: routing preferences
// (only, ignore, maxPrice, order, allowFallbacks), required parameters, the context window, the
// breaker and rpm/tpm caps filter; the group's strategy (or the request's sort) orders the rest.
import type { Deployment } from '../deployments.ts';
import type { ProviderAdapter } from '../ports.ts';
import { unsupportedFeatures, type RequestFeature } from './parameter-support.ts';
import type { RouterContext } from './router-context.ts';
import type { GroupPolicy } from './router-settings.ts';
import type { RoutingPreferences, RoutingSort } from './routing-preferences.ts';
import { orderDeployments, type RankedDeployment } from './strategies.ts';

export interface Eligible<A = ProviderAdapter> extends RankedDeployment {
  adapter: A;
  /** The deployment is half-open: using it means claiming its single probe. */
  probe: boolean;
  /** Requested features this deployment's model lacks (dropped from what it is sent). */
  dropped: RequestFeature[];
}

/** Why deployments were passed over, for the error when nothing could serve. */
export interface SkippedCounts {
  /** When each skipped cooling deployment comes back. */
  cooledUntil: number[];
  capped: number;
  context: number;
  parameters: number;
  preferences: number;
}

export interface SelectionInput<A> {
  deployments: Array<{ deployment: Deployment; adapter: A }>;
  policy: GroupPolicy;
  sort: RoutingSort | undefined;
  preferences: RoutingPreferences;
  features: readonly RequestFeature[];
  promptTokens: number;
  /** What must fit a deployment's context window (chat: the prompt; embeddings: the longest input). */
  contextTokens: number;
  outputTokens: number;
  streamed: boolean;
  skipped: SkippedCounts;
}

export async function selectCandidates<A>(context: RouterContext, input: SelectionInput<A>): Promise<{ eligible: Eligible<A>[]; tooSmall: boolean }> {
  const { preferences, skipped, features } = input;
  const now = context.clock.now();
  let tooSmall = false;
  const candidates: Array<Omit<Eligible<A>, 'requestsThisMinute' | 'tokensThisMinute' | 'probe'>> = [];
  for (const { deployment, adapter } of input.deployments) {
    if (!matchesPreferences(deployment, preferences)) {
      skipped.preferences++;
      continue;
    }
    const capabilities = context.deployments.capabilitiesOf(deployment);
    const unsupported = unsupportedFeatures(features, capabilities);
    // Unknown capabilities prove nothing: requireParameters wants known support.
    if (preferences.requireParameters && (unsupported.length > 0 || (features.length > 0 && capabilities === null))) {
      skipped.parameters++;
      continue;
    }
    if (deployment.contextLength !== null && input.contextTokens > deployment.contextLength) {
      skipped.context++;
      tooSmall = true;
      continue;
    }
    candidates.push({ deployment, adapter, dropped: unsupported, stats: context.stats.get(deployment.id) });
  }

  // A health store that cannot answer (Redis down) leaves every deployment in rotation.
  const health = await context.health
    .read(candidates.map(({ deployment }) => ({ id: deployment.id, windowMs: input.policy.cooldown.windowMs })), now)
    .catch(() => null);
  const eligible: Eligible<A>[] = [];
  candidates.forEach((candidate, index) => {
    const state = health?.[index];
    const { rpm, tpm } = candidate.deployment;
    const cooledUntil = state?.cooledUntil ?? null;
    if (cooledUntil !== null && (cooledUntil > now || (state!.probeUntil !== null && state!.probeUntil > now))) {
      skipped.cooledUntil.push(cooledUntil > now ? cooledUntil : state!.probeUntil!);
      return;
    }
    const requestsThisMinute = state?.requestsThisMinute ?? 0;
    const tokensThisMinute = state?.tokensThisMinute ?? 0;
    if ((rpm && requestsThisMinute >= rpm) || (tpm && tokensThisMinute >= tpm)) {
      skipped.capped++;
      return;
    }
    eligible.push({ ...candidate, probe: cooledUntil !== null, requestsThisMinute, tokensThisMinute });
  });

  const ordered = orderDeployments(
    eligible,
    { strategy: input.policy.strategy, sort: input.sort },
    { random: context.random, streamed: input.streamed, promptTokens: input.promptTokens, outputTokens: input.outputTokens },
  ) as Eligible<A>[];
  return { eligible: applyProviderOrder(ordered, preferences), tooSmall };
}

function matchesPreferences(deployment: Deployment, preferences: RoutingPreferences): boolean {
  const { providerId, pricing } = deployment;
  if (preferences.only && !preferences.only.includes(providerId)) return false;
  if (preferences.ignore?.includes(providerId)) return false;
  if (preferences.allowFallbacks === false && preferences.order && !preferences.order.includes(providerId)) return false;
  const maxPrice = preferences.maxPrice;
  if (maxPrice && (maxPrice.input !== undefined || maxPrice.output !== undefined)) {
    if (!pricing) return false;
    if (maxPrice.input !== undefined && pricing.input > maxPrice.input) return false;
    if (maxPrice.output !== undefined && pricing.output > maxPrice.output) return false;
  }
  return true;
}

/** `order` first (in its order), the rest after; without fallbacks, only the first choice. */
function applyProviderOrder<A>(items: Eligible<A>[], preferences: RoutingPreferences): Eligible<A>[] {
  const order = preferences.order;
  if (order?.length) {
    const rank = (item: Eligible<A>) => {
      const index = order.indexOf(item.deployment.providerId);
      return index === -1 ? order.length : index;
    };
    return [...items].sort((a, b) => rank(a) - rank(b));
  }
  return preferences.allowFallbacks === false ? items.slice(0, 1) : items;
}
