// The embedding service: the same keys, model access, budgets and metering as completions, for
// one more typed operation. It resolves the public model name through the deployment table, tries
// its deployments in priority order (weighted within a priority) and falls back to the next one
// when a deployment is busy or failing, reserves before the first upstream call and records one
// usage record per request. Both the GraphQL and the REST edges call this.
import type { Caller } from './auth.ts';
import { describeAttempt, type Attempt } from './completion-service.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { estimateEmbeddingTokens, type EmbeddingAdapter, type EmbeddingInputType, type EmbeddingUsage } from './embeddings.ts';
import { CancelledError, GatewayError, InvalidRequestError, ModelNotFoundError, toGatewayError, type ErrorCode } from './errors.ts';
import { noAdmission, noUsageSink, type Admission, type AdmissionTicket, type UsageSink } from './metering.ts';
import type { RateLimitStatus } from './metering/rate-limits.ts';
import { assertModelAllowed, resolveModelAlias } from './model-access.ts';
import type { Clock } from './ports.ts';
import { maximumCost, priceUsage } from './pricing.ts';
import { AttemptTimer } from './router/attempt-timer.ts';
import { emptyUsage } from './types.ts';

export interface EmbeddingAdapterLookup {
  get(providerId: string): EmbeddingAdapter | undefined;
}

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
  /** Called once admission counted the request, with its rate limits as they now stand. */
  onAdmitted?: (rateLimits: RateLimitStatus[]) => void;
}

export interface EmbeddingsOutcome {
  generationId: string;
  requestedModel: string;
  /** The public name that served the request (after the caller's aliases). */
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
  deployments: DeploymentTable;
  adapters: EmbeddingAdapterLookup;
  clock: Clock;
  newId(): string;
  /** Budgets and rate limits, reserved before any upstream call (the completion service's). */
  admission?: Admission;
  /** Where each request's usage record goes (the completion service's). */
  usage?: UsageSink;
  /** Uniform in [0, 1): the weighted choice among deployments of equal priority. */
  random?: () => number;
  /** Per-attempt limit for deployments without their own timeoutMs. */
  defaultTimeoutMs?: number;
}

/** Errors another deployment of the same model may not have. */
const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'OVERLOADED', 'TIMEOUT', 'UPSTREAM_ERROR']);

const DEFAULT_TIMEOUT_MS = 120_000;

interface Candidate {
  deployment: Deployment;
  adapter: EmbeddingAdapter;
}

export class EmbeddingService {
  private readonly admission: Admission;
  private readonly usageSink: UsageSink;
  private readonly random: () => number;

  constructor(private readonly options: EmbeddingServiceOptions) {
    this.admission = options.admission ?? noAdmission;
    this.usageSink = options.usage ?? noUsageSink;
    this.random = options.random ?? Math.random;
  }

  async create(request: EmbeddingsRequest, signal: AbortSignal): Promise<EmbeddingsOutcome> {
    const { clock } = this.options;
    const generationId = this.options.newId();
    const startedAt = clock.now();
    const attempts: Attempt[] = [];
    let served: Deployment | null = null;
    let modelName: string | null = null;
    let usage: EmbeddingUsage = { inputTokens: 0 };
    let cost = 0n;
    let failure: GatewayError | null = null;
    let ticket: AdmissionTicket | null = null;
    try {
      validate(request);
      const { model, candidates } = this.resolve(request);
      modelName = model;
      const promptTokens = estimateEmbeddingTokens(request.input);
      ticket = await this.admit(request, model, candidates, promptTokens);
      for (const { deployment, adapter } of candidates) {
        if (signal.aborted) break;
        const attemptStartedAt = clock.now();
        const upstream = `${deployment.providerId}/${deployment.upstreamModel}`;
        const timer = new AttemptTimer(signal, { totalMs: deployment.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, totalIsRequestDeadline: false }, upstream);
        try {
          const result = await Promise.race([adapter.embed(upstreamRequest(request, deployment), timer.signal), timer.expired]);
          attempts.push(attemptOf(deployment, model, null, clock.now() - attemptStartedAt));
          served = deployment;
          usage = result.usage ?? { inputTokens: promptTokens };
          cost = priceUsage({ ...emptyUsage(), inputTokens: usage.inputTokens }, deployment.pricing);
          return {
            generationId,
            requestedModel: request.model,
            model,
            providerId: deployment.providerId,
            upstreamModel: deployment.upstreamModel,
            vectors: result.vectors,
            usage,
            usageEstimated: result.usage === null,
            cost,
            latencyMs: clock.now() - startedAt,
            attempts,
          };
        } catch (thrown) {
          const error = signal.aborted ? new CancelledError() : (timer.timeout ?? toGatewayError(thrown));
          attempts.push(attemptOf(deployment, model, error, clock.now() - attemptStartedAt));
          failure = error;
          if (!FALLBACK_CODES.has(error.code)) break;
        } finally {
          timer.dispose();
        }
      }
      throw signal.aborted ? new CancelledError() : (failure ?? new CancelledError());
    } catch (thrown) {
      failure = toGatewayError(thrown);
      throw thrown;
    } finally {
      const cancelledByClient = signal.aborted && served === null;
      try {
        await ticket?.settle({ cost, tokens: usage.inputTokens });
      } finally {
        const caller = request.caller;
        this.usageSink.record({
          id: generationId,
          createdAt: new Date(startedAt),
          keyId: caller?.keyId ?? null,
          teamId: caller?.teamId ?? null,
          userId: caller?.userId ?? null,
          endUser: request.user ?? null,
          requestedModel: request.model,
          model: served ? modelName : null,
          deploymentId: served?.id ?? null,
          providerId: served?.providerId ?? null,
          upstreamModel: served?.upstreamModel ?? null,
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
        });
      }
    }
  }

  /** The caller's alias applied, the model checked against the caller's allowed models, its embedding deployments in the order to try them. */
  private resolve(request: EmbeddingsRequest): { model: string; candidates: Candidate[] } {
    const model = resolveModelAlias(request.caller, request.model);
    const deployments = this.options.deployments.resolve(model);
    if (deployments.length === 0) {
      throw new ModelNotFoundError(`No routable model named "${request.model}"; list the models this gateway serves to see which names are available.`);
    }
    assertModelAllowed(request.caller, model, deployments.map((deployment) => deployment.providerId));
    const candidates = orderDeployments(deployments, this.random).flatMap((deployment) => {
      const adapter = this.options.adapters.get(deployment.providerId);
      return adapter ? [{ deployment, adapter }] : [];
    });
    if (candidates.length === 0) throw new ModelNotFoundError(`The model "${model}" has no deployment whose provider serves embeddings`);
    return { model, candidates };
  }

  /** Reserves the counted input tokens at the dearest candidate's input price. */
  private async admit(request: EmbeddingsRequest, model: string, candidates: Candidate[], promptTokens: number): Promise<AdmissionTicket> {
    let maxCost = 0n;
    for (const { deployment } of candidates) {
      const candidateCost = maximumCost(promptTokens, 0, deployment.pricing);
      if (candidateCost > maxCost) maxCost = candidateCost;
    }
    const ticket = await this.admission.admit({ caller: request.caller, endUser: request.user ?? null, model, maxTokens: promptTokens, maxCost });
    request.onAdmitted?.(ticket.rateLimits ?? []);
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

/** Priority order (the table keeps groups sorted by priority); within one priority, a weighted random order. */
function orderDeployments(deployments: readonly Deployment[], random: () => number): Deployment[] {
  const ordered: Deployment[] = [];
  let start = 0;
  while (start < deployments.length) {
    let end = start;
    while (end < deployments.length && deployments[end]!.priority === deployments[start]!.priority) end++;
    const pool = deployments.slice(start, end);
    while (pool.length > 0) {
      const total = pool.reduce((sum, deployment) => sum + Math.max(0, deployment.weight), 0);
      let pick = random() * total;
      let index = pool.findIndex((deployment) => (pick -= Math.max(0, deployment.weight)) < 0);
      if (index === -1) index = 0;
      ordered.push(...pool.splice(index, 1));
    }
    start = end;
  }
  return ordered;
}

function upstreamRequest(request: EmbeddingsRequest, deployment: Deployment) {
  return {
    model: deployment.upstreamModel,
    input: request.input,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(request.inputType !== undefined ? { inputType: request.inputType } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
  };
}

function attemptOf(deployment: Deployment, modelName: string, error: GatewayError | null, latencyMs: number): Attempt {
  return describeAttempt(deployment, modelName, error, latencyMs);
}
