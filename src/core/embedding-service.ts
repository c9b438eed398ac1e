// The embedding service: the same keys, model access, budgets and metering as completions, for
// one more typed operation, routed by the completions' router: the group's strategy, fallbacks,
// retries after a backoff (or the upstream's Retry-After), cooldown of failing deployments (shared
// with chat: it is the same deployment's health), per-deployment timeouts and live stats. It
// reserves before the first upstream call and records one usage record per request. Both the
// GraphQL and the REST edges call this.
import type { Caller } from './auth.ts';
import { describeAttempt, type Attempt } from './completion-service.ts';
import {
  estimateEmbeddingTokens,
  longestInputTokens,
  type EmbeddingAdapter,
  type EmbeddingInputType,
  type EmbeddingRequest,
  type EmbeddingUsage,
} from './embeddings.ts';
import { abortError, abortedByClient, GatewayError, InvalidRequestError, toGatewayError } from './errors.ts';
import { noAdmission, noUsageSink, type Admission, type AdmissionTicket, type UsageObserver, type UsageRecord, type UsageSink } from './metering.ts';
import type { RateLimitStatus } from './metering/rate-limit-status.ts';
import type { Clock } from './ports.ts';
import { maximumCost, priceUsage } from './pricing.ts';
import type { RequestFeature } from './router/parameter-support.ts';
import type { RouteOperation } from './router/route-operation.ts';
import type { Candidate, PlannedAttempt, RouteRun } from './router/route-run.ts';
import type { AdapterLookup } from './router/router-context.ts';
import type { Router } from './router/router.ts';
import { emptyUsage } from './types.ts';

export type EmbeddingAdapterLookup = AdapterLookup<EmbeddingAdapter>;

/** What the router carries for an embeddings request; each deployment is sent it with its upstream model. */
export type EmbeddingParameters = Omit<EmbeddingRequest, 'model'>;

export interface EmbeddingsRequest {
  /** The public model name (a configured name or `provider/model`). */
  model: string;
  input: string[];
  dimensions?: number;
  inputType?: EmbeddingInputType;
  /** End-user id: kept on the usage record, counted against end-user budgets, sent upstream. */
  user?: string;
  /** The authenticated caller; authorization, budgets and metering apply to it. */
  caller?: Caller;
  /** The edge's request id, kept on the usage record. */
  requestId?: string;
  /** Called once admission counted the request, or refused it for its budget, with its rate limits as they now stand. */
  onRateLimits?: (rateLimits: RateLimitStatus[]) => void;
  /** Called with the request's usage record (and the error that ended it) once it is final: the edge's access log. */
  onUsageRecord?: UsageObserver;
}

export interface EmbeddingsOutcome {
  generationId: string;
  requestedModel: string;
  /** The public name that served the request (after the caller's aliases; a configured fallback's name when one served). */
  model: string;
  providerId: string;
  upstreamModel: string;
  /** One vector per input, in input order. */
  vectors: number[][];
  usage: EmbeddingUsage;
  /** The upstream reported no token count; it was estimated. */
  usageEstimated: boolean;
  /** Micro-USD. */
  cost: bigint;
  latencyMs: number;
  attempts: Attempt[];
}

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

type EmbeddingAttempt = PlannedAttempt<EmbeddingAdapter, EmbeddingRequest>;
type EmbeddingRun = RouteRun<EmbeddingParameters, EmbeddingAdapter, EmbeddingRequest>;

export class EmbeddingService {
  private readonly admission: Admission;
  private readonly usageSink: UsageSink;
  private readonly operation: RouteOperation<EmbeddingParameters, EmbeddingAdapter, EmbeddingRequest>;

  constructor(private readonly options: EmbeddingServiceOptions) {
    this.admission = options.admission ?? noAdmission;
    this.usageSink = options.usage ?? noUsageSink;
    this.operation = embeddingOperation(options.adapters);
  }

  async create(request: EmbeddingsRequest, signal: AbortSignal): Promise<EmbeddingsOutcome> {
    const { clock, router } = this.options;
    const generationId = this.options.newId();
    const startedAt = clock.now();
    const attempts: Attempt[] = [];
    let served: Candidate<EmbeddingAdapter> | null = null;
    let usage: EmbeddingUsage = { inputTokens: 0 };
    let cost = 0n;
    let failure: GatewayError | null = null;
    let ticket: AdmissionTicket | null = null;
    try {
      validate(request);
      // Resolves the caller's aliases and checks model access (MODEL_NOT_FOUND, FORBIDDEN).
      const run = router.routeOperation(
        this.operation,
        { model: request.model, parameters: parametersOf(request), ...(request.caller ? { caller: request.caller } : {}) },
        estimateEmbeddingTokens(request.input),
      );
      ticket = await this.admit(request, run);
      for (let attempt = await run.next(signal); attempt; attempt = await run.next(signal)) {
        const { candidate, timer } = attempt;
        try {
          const result = await Promise.race([candidate.adapter.embed(attempt.upstreamRequest, timer.signal), timer.expired]);
          usage = result.usage ?? { inputTokens: run.promptTokens };
          run.succeeded(attempt, { usage: { inputTokens: usage.inputTokens, outputTokens: 0 }, firstTokenAt: null });
          attempts.push(attemptOf(attempt, null, clock.now()));
          served = candidate;
          cost = priceUsage({ ...emptyUsage(), inputTokens: usage.inputTokens }, candidate.deployment.pricing);
          return {
            generationId,
            requestedModel: request.model,
            model: candidate.modelName,
            providerId: candidate.deployment.providerId,
            upstreamModel: candidate.deployment.upstreamModel,
            vectors: result.vectors,
            usage,
            usageEstimated: result.usage === null,
            cost,
            latencyMs: clock.now() - startedAt,
            attempts,
          };
        } catch (thrown) {
          const error = signal.aborted ? abortError(signal) : (timer.timeout ?? toGatewayError(thrown));
          attempts.push(attemptOf(attempt, error, clock.now()));
          if (!run.failed(attempt, error, false)) break;
        }
      }
      throw signal.aborted ? abortError(signal) : run.finalError();
    } catch (thrown) {
      failure = toGatewayError(thrown);
      throw thrown;
    } finally {
      const cancelledByClient = abortedByClient(signal) && served === null;
      try {
        await ticket?.settle({ cost, tokens: usage.inputTokens });
      } finally {
        const caller = request.caller;
        const record: UsageRecord = {
          id: generationId,
          createdAt: new Date(startedAt),
          keyId: caller?.keyId ?? null,
          teamId: caller?.teamId ?? null,
          userId: caller?.userId ?? null,
          endUser: request.user ?? null,
          requestedModel: request.model,
          model: served?.modelName ?? null,
          deploymentId: served?.deployment.id ?? null,
          providerId: served?.deployment.providerId ?? null,
          upstreamModel: served?.deployment.upstreamModel ?? null,
          // Embeddings produce no output tokens.
          usage: { ...emptyUsage(), inputTokens: usage.inputTokens },
          cost,
          latencyMs: clock.now() - startedAt,
          timeToFirstTokenMs: null,
          status: cancelledByClient ? 'CANCELLED' : served ? 'SUCCESS' : 'ERROR',
          errorCode: served ? null : (failure?.code ?? null),
          attempts,
          streamed: false,
          cancelledByClient,
          requestId: request.requestId ?? null,
        };
        this.usageSink.record(record);
        request.onUsageRecord?.(record, served ? null : failure);
      }
    }
  }

  /** Reserves the counted input tokens at the dearest input price among the deployments the request may reach. */
  private async admit(request: EmbeddingsRequest, run: EmbeddingRun): Promise<AdmissionTicket> {
    let maxCost = 0n;
    for (const deployment of run.reachableDeployments()) {
      const candidateCost = maximumCost(run.promptTokens, 0, deployment.pricing);
      if (candidateCost > maxCost) maxCost = candidateCost;
    }
    let ticket: AdmissionTicket;
    try {
      ticket = await this.admission.admit({ caller: request.caller, endUser: request.user ?? null, model: run.model, maxTokens: run.promptTokens, maxCost });
    } catch (error) {
      if (error instanceof GatewayError && error.rateLimits) request.onRateLimits?.(error.rateLimits);
      throw error;
    }
    request.onRateLimits?.(ticket.rateLimits ?? []);
    return ticket;
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

function attemptOf(attempt: EmbeddingAttempt, error: GatewayError | null, now: number): Attempt {
  const { deployment, modelName } = attempt.candidate;
  return describeAttempt(deployment, modelName, error, now - attempt.startedAt, attempt.retry, attempt.backoffMs, attempt.timer.elapsedMs());
}
