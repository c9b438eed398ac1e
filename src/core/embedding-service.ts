// The embedding service: the same keys, model access, budgets and metering as completions, for
// one more typed operation, routed by the completions' router: the group's strategy, fallbacks,
// retries after a backoff (or the upstream's Retry-After), cooldown of failing deployments (shared
// with chat: it is the same deployment's health), per-deployment timeouts and live stats. It
// reserves before the first upstream call and records one usage record per request. Both the
// GraphQL and the REST edges call this.
import { embeddingsKeyMaterial } from './cache/cache-key.ts';
import { hitCost, servedByOf } from './cache/cached-answer.ts';
import type { ResponseCache } from './cache/response-cache.ts';
import {
  estimateEmbeddingTokens,
  longestInputTokens,
  type EmbeddingAdapter,
  type EmbeddingRequest,
} from './embeddings.ts';
import { InvalidRequestError } from './errors.ts';
import type { Admission, UsageSink } from './metering/metering-ports.ts';
import type { Clock } from './ports.ts';
import { answerOnce } from './requests/answer-once.ts';
import { MeteredRequest, requestMetering, type RequestMetering } from './requests/metered-request.ts';
import type { EmbeddingsOutcome, EmbeddingsRequest } from './requests/request-types.ts';
import type { RequestFeature } from './router/parameter-support.ts';
import type { RouteOperation } from './router/route-operation.ts';
import type { AdapterLookup } from './router/router-context.ts';
import type { Router } from './router/router.ts';
import { emptyUsage } from './types.ts';

export type { EmbeddingsOutcome, EmbeddingsRequest } from './requests/request-types.ts';

export type EmbeddingAdapterLookup = AdapterLookup<EmbeddingAdapter>;

/** What the router carries for an embeddings request; each deployment is sent it with its upstream model. */
export type EmbeddingParameters = Omit<EmbeddingRequest, 'model'>;

export interface EmbeddingServiceOptions {
  /** The completions' router (CompletionService.router): one live state per deployment for both operations. */
  router: Router;
  adapters: EmbeddingAdapterLookup;
  clock: Clock;
  newId(): string;
  /** Budgets and rate limits, reserved before any upstream call (the completion service's). */
  admission?: Admission;
  /** Where each request's usage record goes (the completion service's). */
  usage?: UsageSink;
  /** The response cache (the completion service's); absent: nothing is cached. */
  cache?: ResponseCache;
}

const NO_FEATURES: readonly RequestFeature[] = Object.freeze([]);

/** Embeddings as the router routes them: one constant per service. */
function embeddingOperation(adapters: EmbeddingAdapterLookup): RouteOperation<EmbeddingParameters, EmbeddingAdapter, EmbeddingRequest> {
  return {
    name: 'embeddings',
    adapters,
    // Embedding models have no optional features (tools, vision...) to drop or require.
    features: () => NO_FEATURES,
    // Each input is embedded on its own: the longest must fit the window, not their sum.
    contextTokens: (parameters) => longestInputTokens(parameters.input),
    contextSubject: 'The longest input',
    outputTokens: () => 0,
    upstreamRequest: (parameters, deployment) => ({ ...parameters, model: deployment.upstreamModel }),
  };
}

export class EmbeddingService {
  private readonly metering: RequestMetering;
  private readonly operation: RouteOperation<EmbeddingParameters, EmbeddingAdapter, EmbeddingRequest>;

  constructor(private readonly options: EmbeddingServiceOptions) {
    this.metering = requestMetering(options);
    this.operation = embeddingOperation(options.adapters);
  }

  async create(request: EmbeddingsRequest, signal: AbortSignal): Promise<EmbeddingsOutcome> {
    const metered = new MeteredRequest(this.metering, { operation: 'embeddings', requestedModel: request.model, endUser: request.user ?? null, streamed: false, call: request });
    return answerOnce({ metered, call: request, cache: this.options.cache, signal }, async (openCache) => {
      validate(request);
      // Resolves the caller's aliases and checks model access (MODEL_NOT_FOUND, FORBIDDEN).
      const run = this.options.router.routeOperation(
        this.operation,
        { model: request.model, parameters: parametersOf(request), ...(request.caller ? { caller: request.caller } : {}) },
        estimateEmbeddingTokens(request.input),
      );
      // The counted input tokens at the dearest input price among the deployments the request may reach.
      await metered.admit(run, () => 0);
      // Embeddings are deterministic: a configured default TTL applies to them.
      const ticket = await openCache({ kind: 'embeddings', caller: request.caller, model: request.model, directives: request.cache, deterministic: true, material: embeddingsKeyMaterial(request) });
      const hit = ticket?.answer;
      if (hit?.kind === 'embeddings') {
        const served = servedByOf(hit.served);
        metered.serveWithoutUpstream(served, { ...emptyUsage(), inputTokens: hit.usage.inputTokens }, hitCost(BigInt(hit.cost), this.options.cache?.settings.hitCostFraction ?? 0));
        return {
          ...metered.outcomeHead(served),
          vectors: hit.vectors,
          usage: hit.usage,
          usageEstimated: hit.usageEstimated,
          cost: metered.cost,
          latencyMs: metered.elapsedMs(),
          attempts: [],
          cacheStatus: 'HIT',
        };
      }
      const { attempt, result } = await metered.firstAnswer(run, signal, (planned) => planned.candidate.adapter.embed(planned.upstreamRequest, planned.timer.signal));
      const usage = result.usage ?? { inputTokens: run.promptTokens };
      run.succeeded(attempt, { usage: { inputTokens: usage.inputTokens, outputTokens: 0 }, firstTokenAt: null });
      // Embeddings produce no output tokens.
      metered.answered(attempt, { ...emptyUsage(), inputTokens: usage.inputTokens });
      const outcome: EmbeddingsOutcome = {
        ...metered.outcomeHead(attempt.candidate),
        vectors: result.vectors,
        usage,
        usageEstimated: result.usage === null,
        cost: metered.cost,
        latencyMs: metered.elapsedMs(),
        attempts: metered.attempts,
        cacheStatus: ticket?.status ?? null,
      };
      ticket?.complete({
        kind: 'embeddings',
        vectors: outcome.vectors,
        usage: outcome.usage,
        usageEstimated: outcome.usageEstimated,
        served: { modelName: outcome.model, deploymentId: attempt.candidate.deployment.id, providerId: outcome.providerId, upstreamModel: outcome.upstreamModel },
        cost: outcome.cost.toString(),
      });
      return outcome;
    });
  }
}

function validate(request: EmbeddingsRequest): void {
  if (request.input.length === 0) throw new InvalidRequestError('input: at least one text is required');
  const empty = request.input.findIndex((text) => text.length === 0);
  if (empty !== -1) throw new InvalidRequestError(`input[${empty}]: must not be empty`);
  if (request.dimensions !== undefined && (!Number.isInteger(request.dimensions) || request.dimensions < 1)) {
    throw new InvalidRequestError('dimensions: must be a positive integer');
  }
}

function parametersOf(request: EmbeddingsRequest): EmbeddingParameters {
  return {
    input: request.input,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(request.inputType !== undefined ? { inputType: request.inputType } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
  };
}
