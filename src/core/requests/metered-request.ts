// One metered request, whatever it runs (a chat completion, streamed or not, embeddings, and what
// comes next: the Responses API, an answer served from a cache): its generation id and clock,
// admission (the most it can cost over the deployments it may reach, reserved before any upstream
// call), its attempts, what it is billed, the settlement of its reservation, and the one usage
// record it leaves. A service supplies only what differs: how to call the adapter, and what the
// call produced. Without an upstream call (`serveWithoutUpstream`) a request has no attempts and
// costs nothing; its record keeps the tokens and the model of what it served.
import type { Deployment } from '../deployments.ts';
import { abortedByClient, abortError, GatewayError, toGatewayError } from '../errors.ts';
import { noAdmission, noUsageSink, type Admission, type AdmissionTicket, type UsageRecord, type UsageSink } from '../metering/metering-ports.ts';
import type { Clock } from '../ports.ts';
import { maximumCost, priceUsage } from '../pricing.ts';
import type { PlannedAttempt, RouteRun } from '../router/route-run.ts';
import { emptyUsage, type Usage } from '../types.ts';
import { attemptFailure, attemptOf, type Attempt } from './attempt.ts';
import type { AttemptAnswer, AttemptObserver, GenAiOperation } from '../telemetry/attempt-telemetry.ts';
import type { MeteredCall } from './request-types.ts';

/** What the services share: the clock and ids, admission, and where usage records go. */
export interface RequestMetering {
  clock: Clock;
  newId(): string;
  admission: Admission;
  usage: UsageSink;
}

/** The metering of a service's options: what a service was not given meters nothing. */
export function requestMetering(options: { clock: Clock; newId(): string; admission?: Admission | undefined; usage?: UsageSink | undefined }): RequestMetering {
  return {
    clock: options.clock,
    newId: () => options.newId(),
    admission: options.admission ?? noAdmission,
    usage: options.usage ?? noUsageSink,
  };
}

export interface MeteredRequestInit {
  operation: GenAiOperation;
  /** The model the client asked for, as it asked. */
  requestedModel: string;
  /** The client's end user, kept on the record and counted against end-user budgets. */
  endUser: string | null;
  streamed: boolean;
  call: MeteredCall;
}

/** What served a request: the deployment an attempt reached, or the one that served a cached answer. */
export interface ServedBy {
  modelName: string;
  deployment: Pick<Deployment, 'id' | 'providerId' | 'upstreamModel'>;
}

/** What admission needs of a route: the deployments the request may reach and its prompt. */
export interface AdmissionScope {
  readonly model: string;
  readonly promptTokens: number;
  reachableDeployments(): Deployment[];
}

type AnyAttempt = PlannedAttempt<unknown, unknown>;

export class MeteredRequest {
  readonly generationId: string;
  readonly startedAt: number;
  readonly attempts: Attempt[] = [];
  served: ServedBy | null = null;
  usage: Usage = emptyUsage();
  /** Micro-USD. */
  cost = 0n;
  /** What ended the request, or its last attempt while it goes on; null once it is served. */
  error: GatewayError | null = null;
  /** Streams: when the first content reached the client. */
  firstTokenAt: number | null = null;
  private ticket: AdmissionTicket | null = null;
  private upstreamSkipped = false;
  /** The attempt under way (attempts run one after another) and its observer, while one observes. */
  private observed: { attempt: AnyAttempt; observer: AttemptObserver } | null = null;

  constructor(
    private readonly metering: RequestMetering,
    private readonly init: MeteredRequestInit,
  ) {
    this.generationId = metering.newId();
    this.startedAt = metering.clock.now();
  }

  /** Served without an upstream call (a cache hit): no attempt was made and nothing was spent. */
  get withoutUpstream(): boolean {
    return this.upstreamSkipped;
  }

  elapsedMs(): number {
    return this.metering.clock.now() - this.startedAt;
  }

  timeToFirstTokenMs(): number | null {
    return this.firstTokenAt === null ? null : this.firstTokenAt - this.startedAt;
  }

  /**
   * Counts the request against its rate limits and reserves the most it can cost: its prompt plus
   * `outputTokens` of each deployment it may reach, at that deployment's price. Throws the refusal.
   */
  async admit(scope: AdmissionScope, outputTokens: (deployment: Deployment) => number): Promise<void> {
    let maxCost = 0n;
    let maxOutput = 0;
    for (const deployment of scope.reachableDeployments()) {
      const output = outputTokens(deployment);
      maxOutput = Math.max(maxOutput, output);
      const cost = maximumCost(scope.promptTokens, output, deployment.pricing);
      if (cost > maxCost) maxCost = cost;
    }
    const { call } = this.init;
    try {
      this.ticket = await this.metering.admission.admit({
        caller: call.caller,
        endUser: this.init.endUser,
        model: scope.model,
        maxTokens: scope.promptTokens + maxOutput,
        maxCost,
      });
    } catch (error) {
      if (error instanceof GatewayError && error.rateLimits) call.onRateLimits?.(error.rateLimits);
      throw error;
    }
    call.onRateLimits?.(this.ticket.rateLimits ?? []);
  }

  /**
   * Calls `call` on each attempt the route plans until one answers (within the attempt's timeout);
   * each failure is classified, listed and reported to the route. Throws the request's error when
   * no attempt answered. The caller reports the answer: `run.succeeded` and `answered`.
   */
  async firstAnswer<P, A, U, R>(
    run: RouteRun<P, A, U>,
    signal: AbortSignal,
    call: (attempt: PlannedAttempt<A, U>) => Promise<R>,
  ): Promise<{ attempt: PlannedAttempt<A, U>; result: R }> {
    for (let attempt = await this.next(run, signal); attempt; attempt = await this.next(run, signal)) {
      try {
        const result = await Promise.race([call(attempt), attempt.timer.expired]);
        return { attempt, result };
      } catch (thrown) {
        const error = this.attemptEnded(attempt, attemptFailure(thrown, attempt.timer, signal));
        if (!run.failed(attempt, error, false)) break;
      }
    }
    throw this.unserved(run, signal);
  }

  /** The route's next attempt (run.next), told to the attempt observer (metrics and traces) as it starts. */
  async next<P, A, U>(run: RouteRun<P, A, U>, signal: AbortSignal): Promise<PlannedAttempt<A, U> | null> {
    const attempt = await run.next(signal);
    const started = this.init.call.onAttemptStarted;
    if (attempt && started) {
      const { candidate } = attempt;
      const observer = started({
        operation: this.init.operation,
        modelName: candidate.modelName,
        providerId: candidate.deployment.providerId,
        deploymentId: candidate.deployment.id,
        upstreamModel: candidate.deployment.upstreamModel,
        streamed: this.init.streamed,
        retry: attempt.retry,
        upstreamRequest: attempt.upstreamRequest,
        signal: attempt.timer.signal,
      });
      this.observed = observer ? { attempt, observer } : null;
    }
    return attempt;
  }

  /** A stream sent a chunk of the current attempt on to its client (inter-token time). */
  chunkSent(): void {
    this.observed?.observer.chunk?.();
  }

  /**
   * Lists an attempt that ended with `error` (null: it answered), with what its upstream answered
   * (a stream's partial answer too); returns `error`.
   */
  attemptEnded<E extends GatewayError | null>(attempt: AnyAttempt, error: E, answer: AttemptAnswer | null = null): E {
    const listed = attemptOf(attempt, error, this.metering.clock.now(), answer);
    this.attempts.push(listed);
    this.error = error;
    if (this.observed?.attempt === attempt) {
      const { observer } = this.observed;
      this.observed = null;
      observer.ended(listed, answer);
    }
    return error;
  }

  /** The attempt answered: lists it, and the request is served by its deployment and billed `usage` at its prices. */
  answered(attempt: AnyAttempt, usage: Usage, answer?: Omit<AttemptAnswer, 'usage'>): void {
    this.attemptEnded(attempt, null, { responseId: null, finishReason: null, timeToFirstChunkMs: null, ...answer, usage });
    this.served = attempt.candidate;
    this.bill(usage, attempt.candidate.deployment);
  }

  /** The fields every outcome starts with: the generation and what served it. */
  outcomeHead(served: ServedBy): { generationId: string; requestedModel: string; model: string; providerId: string; upstreamModel: string } {
    return {
      generationId: this.generationId,
      requestedModel: this.init.requestedModel,
      model: served.modelName,
      providerId: served.deployment.providerId,
      upstreamModel: served.deployment.upstreamModel,
    };
  }

  /** Bills `usage` at the deployment's prices. */
  bill(usage: Usage, deployment: Pick<Deployment, 'pricing'>): void {
    this.usage = usage;
    this.cost = priceUsage(usage, deployment.pricing);
  }

  /**
   * Served without an upstream call (a cache hit): `usage` is what the original answer took; it
   * costs `cost` now (micro-USD: nothing, or the configured fraction of the original cost).
   */
  serveWithoutUpstream(served: ServedBy, usage: Usage, cost = 0n): void {
    this.upstreamSkipped = true;
    this.served = served;
    this.usage = usage;
    this.cost = cost;
    this.error = null;
  }

  /** Why no attempt served the request: the request's own end when its signal aborted, else the route's last failure. */
  unserved(run: Pick<RouteRun<unknown, unknown, unknown>, 'finalError'>, signal: AbortSignal): GatewayError {
    return signal.aborted ? abortError(signal) : run.finalError();
  }

  /** The request ended with `thrown`; returns it as the request's error. */
  failed(thrown: unknown): GatewayError {
    this.error = toGatewayError(thrown);
    return this.error;
  }

  /**
   * Settles the reservation to what the request is billed and hands its usage record to the sink
   * and the edge's observer; once, in the request's `finally`. `consumerLeft`: a stream's consumer
   * stopped before its terminal event.
   */
  async end(signal: AbortSignal, consumerLeft = false): Promise<void> {
    // An attempt the consumer left mid-way is not listed; its observer still hears that it ended.
    if (this.observed) {
      const { attempt, observer } = this.observed;
      this.observed = null;
      observer.ended(attemptOf(attempt, this.error ?? abortError(signal), this.metering.clock.now()), {
        usage: this.usage,
        responseId: null,
        finishReason: null,
        timeToFirstChunkMs: null,
      });
    }
    try {
      await this.ticket?.settle({ cost: this.cost, tokens: this.usage.inputTokens + this.usage.outputTokens });
    } finally {
      const record = this.usageRecord(this.cancelledByClient(signal, consumerLeft));
      this.metering.usage.record(record);
      this.init.call.onUsageRecord?.(record, this.error);
    }
  }

  /**
   * A request is the client's cancel when the client's signal aborted it (a stream's at any time, a
   * single answer's before it was served), or when a stream's consumer left before the end without
   * the gateway ending it (shutdown, a revoked key).
   */
  private cancelledByClient(signal: AbortSignal, consumerLeft: boolean): boolean {
    if (signal.aborted) return abortedByClient(signal) && (this.init.streamed || this.error !== null);
    return consumerLeft;
  }

  /** The request's usage record: built here only. */
  private usageRecord(cancelledByClient: boolean): UsageRecord {
    const { call } = this.init;
    const { caller } = call;
    const served = this.served;
    return {
      id: this.generationId,
      createdAt: new Date(this.startedAt),
      keyId: caller?.keyId ?? null,
      teamId: caller?.teamId ?? null,
      userId: caller?.userId ?? null,
      endUser: this.init.endUser,
      requestedModel: this.init.requestedModel,
      model: served?.modelName ?? null,
      deploymentId: served?.deployment.id ?? null,
      providerId: served?.deployment.providerId ?? null,
      upstreamModel: served?.deployment.upstreamModel ?? null,
      usage: this.usage,
      cost: this.cost,
      latencyMs: this.elapsedMs(),
      timeToFirstTokenMs: this.timeToFirstTokenMs(),
      status: cancelledByClient ? 'CANCELLED' : this.error ? 'ERROR' : 'SUCCESS',
      errorCode: this.error?.code ?? null,
      attempts: this.attempts,
      streamed: this.init.streamed,
      operation: this.init.operation,
      cancelledByClient,
      requestId: call.requestId ?? null,
      cacheHit: this.upstreamSkipped,
    };
  }
}
