// One request's way through the router: an ordered plan of model groups (the requested model, the
// request's fallback models, the group's configured fallbacks, and context-window / content-policy
// chains inserted when needed), each group's healthy deployments ordered by its strategy when the
// walk reaches it, and rounds of retries after a backoff. A service (completions, embeddings) asks
// `next()` for an attempt, makes it, and reports `succeeded` or `failed`. What differs between the
// operations is a RouteOperation (route-operation.ts).
import type { Caller } from '../auth.ts';
import type { Deployment } from '../deployments.ts';
import {
  ContextLengthExceededError,
  GatewayError,
  ModelNotFoundError,
  OverloadedError,
  RateLimitedError,
  TimeoutError,
  UpstreamProtocolError,
  type ErrorCode,
} from '../errors.ts';
import { assertModelAllowed, resolveModelAlias } from '../model-access.ts';
import type { ProviderAdapter } from '../ports.ts';
import type { ChatRequest, Usage } from '../types.ts';
import { AttemptTimer } from './attempt-timer.ts';
import { minuteOf } from './deployment-health-store.ts';
import { droppedWarning, type RequestFeature } from './parameter-support.ts';
import { countsAgainstDeployment, fallsBack, retriesFor, retryDelay } from './retry-policy.ts';
import type { ChatParameters, RouteOperation } from './route-operation.ts';
import type { RouterContext } from './router-context.ts';
import type { GroupPolicy } from './router-settings.ts';
import { parseModelSuffix, type RoutingPreferences, type RoutingSort } from './routing-preferences.ts';
import { selectCandidates, type Eligible, type SkippedCounts } from './select-candidates.ts';

/** A request to route; `parameters` is what the operation sends (chat parameters, embedding inputs). */
export interface RouteRequest<P = ChatParameters> {
  model: string;
  fallbackModels?: string[];
  parameters: P;
  caller?: Caller;
  routing?: RoutingPreferences;
}

export interface Candidate<A = ProviderAdapter> {
  modelName: string;
  deployment: Deployment;
  adapter: A;
  policy: GroupPolicy;
}

export interface PlannedAttempt<A = ProviderAdapter, U = ChatRequest> {
  candidate: Candidate<A>;
  /** What the deployment is sent (its upstream model, without the features it lacks). */
  upstreamRequest: U;
  /** Parameters this deployment does not support, dropped from upstreamRequest. */
  warnings: string[];
  /** 0 for the first round over the candidates, then the retry number. */
  retry: number;
  /** The wait before this attempt (the first of a retry round). */
  backoffMs: number;
  /** This attempt is the single probe of a half-open deployment. */
  probe: boolean;
  timer: AttemptTimer;
  startedAt: number;
}

export interface AttemptSuccess {
  usage: Pick<Usage, 'inputTokens' | 'outputTokens'>;
  /** Streams: when the first content arrived (router clock), null otherwise. */
  firstTokenAt: number | null;
}

interface PlanEntry<A> {
  model: string;
  sort: RoutingSort | undefined;
  deployments: Array<{ deployment: Deployment; adapter: A }>;
  policy: GroupPolicy;
}

export class RouteRun<P = ChatParameters, A = ProviderAdapter, U = ChatRequest> {
  /** The requested model after aliases and suffixes. */
  readonly model: string;
  readonly promptTokens: number;
  readonly deadline: number;
  lastError: GatewayError | null = null;
  private readonly entries: PlanEntry<A>[] = [];
  private readonly features: readonly RequestFeature[];
  private readonly contextTokens: number;
  private cursor = 0;
  private queue: Eligible<A>[] | null = null;
  private readonly triedThisRound = new Set<string>();
  private attemptsThisRound = 0;
  private lastPolicy: GroupPolicy | null = null;
  private round = 0;
  private pendingBackoffMs = 0;
  private readonly retriesUsed = new Map<ErrorCode, number>();
  private readonly skipped: SkippedCounts = { cooledUntil: [], capped: 0, context: 0, parameters: 0, preferences: 0 };

  constructor(
    private readonly context: RouterContext,
    private readonly operation: RouteOperation<P, A, U>,
    private readonly request: RouteRequest<P>,
    private readonly streamed: boolean,
    promptTokens: number,
  ) {
    this.promptTokens = promptTokens;
    this.features = operation.features(request.parameters);
    this.contextTokens = operation.contextTokens(request.parameters, promptTokens);
    const primary = this.resolve(request.model);
    this.model = primary.model;
    const explicit = [primary, ...(request.fallbackModels ?? []).map((name) => this.resolve(name))];
    for (const entry of explicit) {
      if (entry.deployments.length === 0) continue;
      assertModelAllowed(request.caller, entry.model, entry.deployments.map((d) => d.deployment.providerId));
      this.add(entry);
    }
    if (this.entries.length === 0) {
      if (context.deployments.resolve(primary.model).length > 0) {
        throw new ModelNotFoundError(`The model "${primary.model}" has no deployment whose provider serves ${operation.name}`);
      }
      throw new ModelNotFoundError(`No routable model named "${request.model}"; list the models this gateway serves to see which names are available.`);
    }
    for (const name of this.entries[0]!.policy.fallbacks) {
      const entry = this.resolveAllowed(name);
      if (entry) this.add(entry);
    }
    const requestMs = request.routing?.timeoutMs ?? this.entries[0]!.policy.timeouts.requestMs;
    this.deadline = context.clock.now() + requestMs;
  }

  /** Every deployment the request may reach, chains included: what admission reserves for. */
  reachableDeployments(): Deployment[] {
    const reachable = new Map<string, Deployment>();
    const visit = (entry: PlanEntry<A>) => entry.deployments.forEach(({ deployment }) => reachable.set(deployment.id, deployment));
    for (const entry of this.entries) {
      visit(entry);
      for (const name of [...entry.policy.contextWindowFallbacks, ...entry.policy.contentPolicyFallbacks]) {
        const chained = this.resolveAllowed(name);
        if (chained) visit(chained);
      }
    }
    return [...reachable.values()];
  }

  /** The next attempt to make, after sleeping for a retry when a round is over; null when done. */
  async next(signal: AbortSignal): Promise<PlannedAttempt<A, U> | null> {
    for (;;) {
      if (signal.aborted) return null;
      if (this.context.clock.now() >= this.deadline) {
        this.lastError = new TimeoutError(`The request's deadline passed before a deployment answered`, { requestDeadline: true });
        return null;
      }
      const chosen = await this.nextInRound();
      if (chosen) return this.start(chosen.entry, chosen.eligible, signal);
      if (!(await this.startRetryRound(signal))) return null;
    }
  }

  /** Records a failed attempt; true when the request should go on to the next candidate. */
  failed(attempt: PlannedAttempt<A, U>, error: GatewayError, contentSent: boolean): boolean {
    const { context } = this;
    const { deployment, policy } = attempt.candidate;
    const now = context.clock.now();
    this.finish(attempt);
    const requestDeadline = error instanceof TimeoutError && error.requestDeadline;
    if (error.code === 'TIMEOUT' && !requestDeadline) context.stats.observeLatency(deployment.id, now - attempt.startedAt);
    // As LiteLLM does, a deployment alone in its group is not taken out of rotation: there is
    // nothing to route to instead, and its callers would only trade errors for refusals.
    if (countsAgainstDeployment(error) && context.deployments.resolve(deployment.modelName).length > 1) {
      void context.health.recordFailure(deployment.id, now, policy.cooldown).catch(() => undefined);
    }
    this.lastError = error;
    this.lastPolicy = policy;
    if (contentSent || error.code === 'CANCELLED' || requestDeadline) return false;
    const chain =
      error.code === 'CONTENT_FILTERED' ? policy.contentPolicyFallbacks : error.code === 'CONTEXT_LENGTH_EXCEEDED' ? policy.contextWindowFallbacks : [];
    const chained = this.insertChain(chain);
    if (fallsBack(policy, error.code)) return true;
    if (chained) {
      // The rest of this group would refuse the same content: go straight to the chain.
      this.queue = [];
      return true;
    }
    return false;
  }

  succeeded(attempt: PlannedAttempt<A, U>, success: AttemptSuccess): void {
    const { context } = this;
    const { id } = attempt.candidate.deployment;
    const now = context.clock.now();
    this.finish(attempt, true);
    if (success.firstTokenAt === null) {
      context.stats.observeLatency(id, now - attempt.startedAt);
    } else {
      context.stats.observeTimeToFirstToken(id, success.firstTokenAt - attempt.startedAt);
      const seconds = (now - success.firstTokenAt) / 1000;
      if (seconds > 0 && success.usage.outputTokens > 0) context.stats.observeThroughput(id, success.usage.outputTokens / seconds);
    }
    if (attempt.probe) void context.health.recordSuccess(id, now).catch(() => undefined);
    const extraTokens = success.usage.inputTokens + success.usage.outputTokens - this.promptTokens;
    if (extraTokens > 0) void context.health.recordUsage(id, now, 0, extraTokens).catch(() => undefined);
  }

  /** The consumer went away mid-attempt: frees it without judging the deployment. */
  abandoned(attempt: PlannedAttempt<A, U>): void {
    this.finish(attempt);
  }

  /** Why the request could not be served. */
  finalError(): GatewayError {
    if (this.lastError) return this.lastError;
    const now = this.context.clock.now();
    const { skipped } = this;
    if (skipped.cooledUntil.length > 0) {
      const retryAfterMs = Math.max(0, Math.min(...skipped.cooledUntil) - now);
      return new OverloadedError(`Every deployment of "${this.model}" is cooling down after repeated failures`, { retryAfterMs });
    }
    if (skipped.capped > 0) {
      return new RateLimitedError(`Every deployment of "${this.model}" is at its requests- or tokens-per-minute limit`, {
        retryAfterMs: (minuteOf(now) + 1) * 60_000 - now,
      });
    }
    if (skipped.context > 0) {
      return new ContextLengthExceededError(`${this.operation.contextSubject} (about ${this.contextTokens} tokens) does not fit the context window of any deployment of "${this.model}"`);
    }
    if (skipped.parameters > 0) {
      return new ModelNotFoundError(`No deployment of "${this.model}" supports every requested parameter (${this.features.join(', ')}); requireParameters is set`);
    }
    if (skipped.preferences > 0) {
      return new ModelNotFoundError(`No deployment of "${this.model}" matches the routing preferences (only, ignore, order, maxPrice)`);
    }
    return new UpstreamProtocolError('No deployment answered');
  }

  private resolve(raw: string): PlanEntry<A> {
    const { deployments, settings } = this.context;
    let sort: RoutingSort | undefined;
    let model = resolveModelAlias(this.request.caller, raw);
    let found = deployments.resolve(model);
    if (found.length === 0) {
      const parsed = parseModelSuffix(raw);
      if (parsed.sort) {
        model = resolveModelAlias(this.request.caller, parsed.name);
        found = deployments.resolve(model);
        sort = parsed.sort;
      }
    }
    const withAdapters = found.flatMap((deployment) => {
      const adapter = this.operation.adapters.get(deployment.providerId);
      return adapter ? [{ deployment, adapter }] : [];
    });
    return { model, sort, deployments: withAdapters, policy: settings.policy(model) };
  }

  /** A configured chain's model, when it resolves and the caller may use it. */
  private resolveAllowed(name: string): PlanEntry<A> | null {
    const entry = this.resolve(name);
    if (entry.deployments.length === 0) return null;
    try {
      assertModelAllowed(this.request.caller, entry.model, entry.deployments.map((d) => d.deployment.providerId));
    } catch {
      return null;
    }
    return entry;
  }

  private add(entry: PlanEntry<A>): void {
    if (!this.entries.some((existing) => existing.model === entry.model)) this.entries.push(entry);
  }

  /** Puts the chain's models right after the current group (moving them up when already planned later). */
  private insertChain(names: readonly string[]): boolean {
    let position = this.cursor + 1;
    for (const name of names) {
      const entry = this.resolveAllowed(name);
      if (!entry) continue;
      const existing = this.entries.findIndex((planned) => planned.model === entry.model);
      if (existing !== -1 && existing <= this.cursor) continue;
      if (existing !== -1) this.entries.splice(existing, 1);
      this.entries.splice(position++, 0, entry);
    }
    return position > this.cursor + 1;
  }

  private async nextInRound(): Promise<{ entry: PlanEntry<A>; eligible: Eligible<A> } | null> {
    const { context } = this;
    while (this.cursor < this.entries.length) {
      const entry = this.entries[this.cursor]!;
      this.queue ??= await this.expand(entry);
      while (this.queue.length > 0) {
        const eligible = this.queue.shift()!;
        const { id } = eligible.deployment;
        if (this.triedThisRound.has(id)) continue;
        if (eligible.probe) {
          const leaseMs = eligible.deployment.timeoutMs ?? entry.policy.timeouts.totalMs;
          const claimed = await context.health.claimProbe(id, context.clock.now(), leaseMs).catch(() => false);
          if (!claimed) {
            this.skipped.cooledUntil.push(context.clock.now() + entry.policy.cooldown.cooldownMs);
            continue;
          }
        }
        this.triedThisRound.add(id);
        return { entry, eligible };
      }
      this.cursor++;
      this.queue = null;
    }
    return null;
  }

  /** The group's deployments that may serve this request now, in the order to try them. */
  private async expand(entry: PlanEntry<A>): Promise<Eligible<A>[]> {
    const { eligible, tooSmall } = await selectCandidates<A>(this.context, {
      deployments: entry.deployments,
      policy: entry.policy,
      sort: this.request.routing?.sort ?? entry.sort,
      preferences: this.request.routing ?? {},
      features: this.features,
      promptTokens: this.promptTokens,
      contextTokens: this.contextTokens,
      outputTokens: this.operation.outputTokens(this.request.parameters),
      streamed: this.streamed,
      skipped: this.skipped,
    });
    if (tooSmall) this.insertChain(entry.policy.contextWindowFallbacks);
    return eligible;
  }

  private start(entry: PlanEntry<A>, eligible: Eligible<A>, signal: AbortSignal): PlannedAttempt<A, U> {
    const { context, request } = this;
    const { deployment, adapter } = eligible;
    const now = context.clock.now();
    const timeouts = entry.policy.timeouts;
    const ownTotal = deployment.timeoutMs ?? timeouts.totalMs;
    const remaining = this.deadline - now;
    const upstream = `${deployment.providerId}/${deployment.upstreamModel}`;
    const timer = new AttemptTimer(
      signal,
      {
        totalMs: Math.min(ownTotal, remaining),
        totalIsRequestDeadline: remaining < ownTotal,
        ...(this.streamed ? { connectMs: timeouts.connectMs, firstTokenMs: timeouts.firstTokenMs, idleMs: timeouts.idleMs } : {}),
      },
      upstream,
    );
    context.stats.started(deployment.id);
    void context.health.recordUsage(deployment.id, now, 1, this.promptTokens).catch(() => undefined);
    const backoffMs = this.pendingBackoffMs;
    this.pendingBackoffMs = 0;
    this.attemptsThisRound++;
    return {
      candidate: { modelName: entry.model, deployment, adapter, policy: entry.policy },
      upstreamRequest: this.operation.upstreamRequest(request.parameters, deployment, eligible.dropped),
      warnings: eligible.dropped.map((feature) => droppedWarning(feature, upstream)),
      retry: this.round,
      backoffMs,
      probe: eligible.probe,
      timer,
      startedAt: now,
    };
  }

  private readonly finished = new WeakSet<PlannedAttempt<A, U>>();

  /** `completed`: the upstream response was read to its end, so there is nothing to abort. */
  private finish(attempt: PlannedAttempt<A, U>, completed = false): void {
    attempt.timer.dispose(!completed);
    if (this.finished.has(attempt)) return;
    this.finished.add(attempt);
    this.context.stats.finished(attempt.candidate.deployment.id);
  }

  /** After a round in which every candidate failed: waits and starts over when a retry is left. */
  private async startRetryRound(signal: AbortSignal): Promise<boolean> {
    const error = this.lastError;
    const policy = this.lastPolicy;
    if (!error || !policy || this.attemptsThisRound === 0) return false;
    const used = this.retriesUsed.get(error.code) ?? 0;
    if (used >= retriesFor(policy, error.code)) return false;
    const delay = retryDelay(error, policy.backoff, used, this.context.random);
    // A Retry-After beyond the backoff cap is left to the client (the error carries it); and no
    // wait may outlast the request's deadline.
    if (delay > policy.backoff.maxMs || this.context.clock.now() + delay >= this.deadline) return false;
    await this.context.sleep(delay, signal);
    if (signal.aborted) return false;
    this.retriesUsed.set(error.code, used + 1);
    this.round++;
    this.pendingBackoffMs = delay;
    this.cursor = 0;
    this.queue = null;
    this.triedThisRound.clear();
    this.attemptsThisRound = 0;
    this.skipped.cooledUntil = [];
    return true;
  }
}
