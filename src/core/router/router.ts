// The router: between the services (completions, embeddings) and the adapters. It owns the live
// state of every deployment (this instance's in-flight counts and latency averages, and the health
// store's breaker and usage counters, shared across instances with Redis) and starts one RouteRun
// per request, whatever the operation: a deployment's cooldown and stats are the same for chat and
// embeddings. State is kept by deployment id, so replacing the deployment table keeps it.
import type { Deployment, DeploymentTable } from '../deployments.ts';
import type { Clock, ProviderAdapter } from '../ports.ts';
import type { ChatRequest } from '../types.ts';
import { estimatePromptTokens } from '../token-estimate.ts';
import { InMemoryDeploymentHealthStore, type DeploymentHealthStore } from './deployment-health-store.ts';
import { DeploymentStats } from './deployment-stats.ts';
import { chatOperation, type ChatParameters, type RouteOperation } from './route-operation.ts';
import { RouteRun, type RouteRequest } from './route-run.ts';
import { sleepUnlessAborted, type AdapterLookup, type RouterContext } from './router-context.ts';
import { RouterSettings, type RouterSettingsInput } from './router-settings.ts';

export interface RouterOptions {
  deployments: DeploymentTable;
  /** The chat adapters; other operations bring their own (RouteOperation). */
  adapters: AdapterLookup;
  clock: Clock;
  settings?: RouterSettingsInput;
  /** Shared breaker and usage state; in this process when not given. */
  health?: DeploymentHealthStore;
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A deployment with its live state, for the admin `deployments` query. */
export interface DeploymentState {
  deployment: Deployment;
  inFlight: number;
  latencyMs: number | null;
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
  failuresInWindow: number;
  /** Set while the breaker is open, or half-open awaiting its probe (then in the past). */
  cooledUntil: number | null;
  requestsThisMinute: number;
  tokensThisMinute: number;
}

export class Router {
  private readonly context: RouterContext;
  private readonly chat: RouteOperation<ChatParameters, ProviderAdapter, ChatRequest>;

  constructor(options: RouterOptions) {
    this.chat = chatOperation(options.adapters);
    this.context = {
      deployments: options.deployments,
      settings: new RouterSettings(options.settings),
      health: options.health ?? new InMemoryDeploymentHealthStore(),
      stats: new DeploymentStats(),
      clock: options.clock,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? sleepUnlessAborted,
    };
  }

  /** Resolves the request's models and checks the caller may use them (throws MODEL_NOT_FOUND / FORBIDDEN). */
  route(request: RouteRequest, streamed: boolean): RouteRun {
    return new RouteRun(this.context, this.chat, request, streamed, estimatePromptTokens(request.parameters));
  }

  /** As `route`, for another operation (embeddings): `promptTokens` is its own estimate. Not streamed. */
  routeOperation<P, A, U>(operation: RouteOperation<P, A, U>, request: RouteRequest<P>, promptTokens: number): RouteRun<P, A, U> {
    return new RouteRun(this.context, operation, request, false, promptTokens);
  }

  async deploymentStates(): Promise<DeploymentState[]> {
    const { deployments, health, settings, stats, clock } = this.context;
    const all = deployments.all();
    const now = clock.now();
    const states = await health
      .read(all.map((deployment) => ({ id: deployment.id, windowMs: settings.policy(deployment.modelName).cooldown.windowMs })), now)
      .catch(() => null);
    return all.map((deployment, index) => {
      const live = stats.get(deployment.id);
      const state = states?.[index];
      return {
        deployment,
        inFlight: live.inFlight,
        latencyMs: live.latencyMs,
        timeToFirstTokenMs: live.timeToFirstTokenMs,
        tokensPerSecond: live.tokensPerSecond,
        failuresInWindow: state?.failuresInWindow ?? 0,
        cooledUntil: state?.cooledUntil ?? null,
        requestsThisMinute: state?.requestsThisMinute ?? 0,
        tokensThisMinute: state?.tokensThisMinute ?? 0,
      };
    });
  }
}
