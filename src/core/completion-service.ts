// The completion service: asks the router for attempts (deployment choice, fallbacks, retries,
// cooldown, timeouts), calls the adapters, prices the usage and reports every attempt. Both the
// GraphQL and the REST edges call this; neither has routing logic of its own.
import type { Caller } from './auth.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { abortedByClient, abortError, CancelledError, GatewayError, UpstreamProtocolError, toGatewayError, type ErrorCode } from './errors.ts';
import type { Clock } from './ports.ts';
import { maximumCost, priceUsage } from './pricing.ts';
import { noAdmission, noUsageSink, type Admission, type AdmissionTicket, type UsageObserver, type UsageRecord, type UsageSink } from './metering.ts';
import type { RateLimitStatus } from './metering/rate-limit-status.ts';
import type { DeploymentHealthStore } from './router/deployment-health-store.ts';
import type { Candidate, PlannedAttempt, RouteRun } from './router/route-run.ts';
import type { AdapterLookup } from './router/router-context.ts';
import type { RouterSettingsInput } from './router/router-settings.ts';
import { Router, type DeploymentState } from './router/router.ts';
import type { RoutingPreferences } from './router/routing-preferences.ts';
import { StreamAccumulator, streamUsage } from './stream-accumulator.ts';
import type { ChatRequest, ChatResult, ReasoningBlock, Usage } from './types.ts';
import { emptyUsage } from './types.ts';

export type { AdapterLookup } from './router/router-context.ts';

export type CompletionParameters = Omit<ChatRequest, 'model'>;

export interface CompletionRequest {
  /** The public model name (a configured name or `provider/model`, optionally `:floor` / `:nitro`). */
  model: string;
  /** Models tried in order after `model`'s deployments, as OpenRouter's `models` list. */
  fallbackModels?: string[];
  parameters: CompletionParameters;
  /** Provider preferences (OpenRouter's `provider` object) and the request's deadline. */
  routing?: RoutingPreferences;
  /** The authenticated caller; authorization, budgets and metering apply to it. */
  caller?: Caller;
  /** The edge's request id, kept on the usage record. */
  requestId?: string;
  /**
   * Called once admission counted the request, or refused it for its budget (and released its
   * count), with its rate limits as they now stand (REST x-ratelimit-* headers).
   */
  onRateLimits?: (rateLimits: RateLimitStatus[]) => void;
  /** Called with the request's usage record (and the error that ended it) once it is final: the edge's access log. */
  onUsageRecord?: UsageObserver;
}

export interface Attempt {
  deploymentId: string;
  modelName: string;
  providerId: string;
  upstreamModel: string;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** The upstream's HTTP status when it refused the request. */
  upstreamStatus: number | null;
  latencyMs: number;
  /** latencyMs at high resolution (fractional milliseconds): what metrics subtract to find the gateway's overhead. */
  upstreamMs: number;
  /** 0 for the first round over the candidates, then the retry number. */
  retry: number;
  /** The wait before this attempt (backoff or Retry-After). */
  backoffMs: number;
}

export interface CompletionOutcome {
  generationId: string;
  requestedModel: string;
  /** The public name that served the request (differs from requestedModel after a model fallback). */
  model: string;
  providerId: string;
  upstreamModel: string;
  result: ChatResult;
  /** Micro-USD. */
  cost: bigint;
  /** Usage was not reported by the upstream and was estimated. */
  usageEstimated: boolean;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  attempts: Attempt[];
  /** Parameters the serving model does not support, dropped from what it was sent. */
  warnings: string[];
}

export type CompletionEvent =
  /** First event of every stream: the generation id, known before any token. */
  | { type: 'started'; generationId: string; requestedModel: string }
  | { type: 'text-delta'; text: string }
  /** A signed or redacted reasoning block (Anthropic thinking), to send back on a later turn. */
  | { type: 'reasoning-block'; block: ReasoningBlock }
  | { type: 'reasoning-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id: string | null; name: string | null; argumentsDelta: string }
  | { type: 'completed'; outcome: CompletionOutcome }
  | {
      type: 'error';
      error: GatewayError;
      generationId: string;
      attempts: Attempt[];
      usage: Usage;
      cost: bigint;
    };

export interface CompletionServiceOptions {
  deployments: DeploymentTable;
  adapters: AdapterLookup;
  clock: Clock;
  newId(): string;
  /** Budgets and rate limits, reserved before any upstream call. */
  admission?: Admission;
  /** Where each request's usage record goes (buffered, off the request path). */
  usage?: UsageSink;
  /** Per-group strategies, fallback chains, retries, cooldown and timeouts. */
  router?: RouterSettingsInput;
  /** Breaker and usage state shared across instances (Redis); in memory when absent. */
  health?: DeploymentHealthStore;
  /** Injected for deterministic tests. */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What one request did, filled in as it runs and turned into its usage record at the end. */
class RequestLedger {
  readonly attempts: Attempt[] = [];
  served: Candidate | null = null;
  usage: Usage = emptyUsage();
  cost = 0n;
  error: GatewayError | null = null;
  firstTokenAt: number | null = null;
  cancelledByClient = false;

  constructor(
    readonly generationId: string,
    readonly request: CompletionRequest,
    readonly startedAt: number,
    readonly streamed: boolean,
  ) {}
}

/** Output tokens reserved when neither the request nor the deployment gives a maximum. */
const DEFAULT_OUTPUT_ALLOWANCE = 4096;

export class CompletionService {
  private readonly admission: Admission;
  private readonly usageSink: UsageSink;
  /** Embeddings route through it too: one live state (cooldown, stats) per deployment. */
  readonly router: Router;

  constructor(private readonly options: CompletionServiceOptions) {
    this.admission = options.admission ?? noAdmission;
    this.usageSink = options.usage ?? noUsageSink;
    this.router = new Router({
      deployments: options.deployments,
      adapters: options.adapters,
      clock: options.clock,
      ...(options.router ? { settings: options.router } : {}),
      ...(options.health ? { health: options.health } : {}),
      ...(options.random ? { random: options.random } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  }

  /** Every configured deployment with its live state (in flight, latency, failures, cooldown). */
  deploymentStates(): Promise<DeploymentState[]> {
    return this.router.deploymentStates();
  }

  private admit(request: CompletionRequest, run: RouteRun): Promise<AdmissionTicket> {
    let maxCost = 0n;
    let maxOutput = 0;
    for (const deployment of run.reachableDeployments()) {
      const output = request.parameters.maxOutputTokens ?? deployment.maxOutputTokens ?? DEFAULT_OUTPUT_ALLOWANCE;
      maxOutput = Math.max(maxOutput, output);
      const cost = maximumCost(run.promptTokens, output, deployment.pricing);
      if (cost > maxCost) maxCost = cost;
    }
    return this.admission.admit({
      caller: request.caller,
      endUser: request.parameters.user ?? null,
      model: run.model,
      maxTokens: run.promptTokens + maxOutput,
      maxCost,
    }).then(
      (ticket) => {
        request.onRateLimits?.(ticket.rateLimits ?? []);
        return ticket;
      },
      (error: unknown) => {
        if (error instanceof GatewayError && error.rateLimits) request.onRateLimits?.(error.rateLimits);
        throw error;
      },
    );
  }

  /** Settles the reservation with the actual cost and hands the record to the usage sink. */
  private async close(ledger: RequestLedger, ticket: AdmissionTicket | null): Promise<void> {
    const { clock } = this.options;
    try {
      await ticket?.settle({ cost: ledger.cost, tokens: ledger.usage.inputTokens + ledger.usage.outputTokens });
    } finally {
      const caller = ledger.request.caller;
      const served = ledger.served;
      this.recordUsage(ledger, {
        id: ledger.generationId,
        createdAt: new Date(ledger.startedAt),
        keyId: caller?.keyId ?? null,
        teamId: caller?.teamId ?? null,
        userId: caller?.userId ?? null,
        endUser: ledger.request.parameters.user ?? null,
        requestedModel: ledger.request.model,
        model: served?.modelName ?? null,
        deploymentId: served?.deployment.id ?? null,
        providerId: served?.deployment.providerId ?? null,
        upstreamModel: served?.deployment.upstreamModel ?? null,
        usage: ledger.usage,
        cost: ledger.cost,
        latencyMs: clock.now() - ledger.startedAt,
        timeToFirstTokenMs: ledger.firstTokenAt === null ? null : ledger.firstTokenAt - ledger.startedAt,
        status: ledger.cancelledByClient ? 'CANCELLED' : ledger.error ? 'ERROR' : 'SUCCESS',
        errorCode: ledger.error?.code ?? null,
        attempts: ledger.attempts,
        streamed: ledger.streamed,
        cancelledByClient: ledger.cancelledByClient,
        requestId: ledger.request.requestId ?? null,
      });
    }
  }

  private recordUsage(ledger: RequestLedger, record: UsageRecord): void {
    this.usageSink.record(record);
    ledger.request.onUsageRecord?.(record, ledger.error);
  }

  async create(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const { clock } = this.options;
    const ledger = new RequestLedger(this.options.newId(), request, clock.now(), false);
    let ticket: AdmissionTicket | null = null;
    try {
      const run = this.router.route(request, false);
      ticket = await this.admit(request, run);
      for (let attempt = await run.next(signal); attempt; attempt = await run.next(signal)) {
        const { candidate } = attempt;
        try {
          const result = await Promise.race([candidate.adapter.generate(attempt.upstreamRequest, attempt.timer.signal), attempt.timer.expired]);
          run.succeeded(attempt, { usage: result.usage, firstTokenAt: null });
          ledger.attempts.push(attemptOf(attempt, null, clock.now()));
          ledger.served = candidate;
          ledger.usage = result.usage;
          ledger.cost = priceUsage(result.usage, candidate.deployment.pricing);
          ledger.error = null;
          return {
            generationId: ledger.generationId,
            requestedModel: request.model,
            model: candidate.modelName,
            providerId: candidate.deployment.providerId,
            upstreamModel: candidate.deployment.upstreamModel,
            result,
            cost: ledger.cost,
            usageEstimated: false,
            latencyMs: clock.now() - ledger.startedAt,
            timeToFirstTokenMs: null,
            attempts: ledger.attempts,
            warnings: attempt.warnings,
          };
        } catch (thrown) {
          const error = signal.aborted ? abortError(signal) : (attempt.timer.timeout ?? toGatewayError(thrown));
          ledger.attempts.push(attemptOf(attempt, error, clock.now()));
          if (!run.failed(attempt, error, false)) break;
        }
      }
      if (signal.aborted) throw withAttempts(abortError(signal), ledger.attempts);
      throw withAttempts(run.finalError(), ledger.attempts);
    } catch (thrown) {
      ledger.error = toGatewayError(thrown);
      ledger.cancelledByClient = abortedByClient(signal);
      throw thrown;
    } finally {
      await this.close(ledger, ticket);
    }
  }

  /**
   * Streams a completion. Falls back (and retries) until the first content has been yielded;
   * after that a failure ends the stream with an `error` event carrying partial usage.
   * The terminal event (`completed` or `error`) always comes last, unless the consumer stops first.
   */
  async *stream(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
    const { clock } = this.options;
    const ledger = new RequestLedger(this.options.newId(), request, clock.now(), true);
    const { generationId } = ledger;
    let ticket: AdmissionTicket | null = null;
    let terminated = false;
    let current: { attempt: PlannedAttempt; accumulator: StreamAccumulator } | null = null;
    let run: RouteRun | undefined;
    try {
      yield { type: 'started', generationId, requestedModel: request.model };
      try {
        run = this.router.route(request, true);
        ticket = await this.admit(request, run);
      } catch (error) {
        ledger.error = toGatewayError(error);
        terminated = true;
        yield { type: 'error', error: ledger.error, generationId, attempts: [], usage: emptyUsage(), cost: 0n };
        return;
      }

      for (let attempt = await run.next(signal); attempt; attempt = await run.next(signal)) {
        const { candidate, upstreamRequest: chatRequest, timer } = attempt;
        const accumulator = new StreamAccumulator();
        current = { attempt, accumulator };
        let failure: GatewayError | null = null;
        let firstTokenAt: number | null = null;
        try {
          for await (const part of raceEachPart(candidate.adapter.stream(chatRequest, timer.signal), timer.expired)) {
            if (part.type === 'error') {
              failure = part.error;
              break;
            }
            const event = accumulator.take(part);
            timer.event(accumulator.sentContent);
            if (event) {
              firstTokenAt ??= clock.now();
              ledger.firstTokenAt ??= firstTokenAt;
              ledger.served = candidate;
              yield event;
            }
          }
        } catch (thrown) {
          failure = toGatewayError(thrown);
        } finally {
          // Closes the upstream connection when the consumer stopped early or anything failed.
          timer.dispose();
        }
        if (!failure && !accumulator.finished) failure = new UpstreamProtocolError('The upstream stream ended without a finish');
        if (failure && timer.timeout) failure = timer.timeout;
        if (signal.aborted) failure = abortError(signal);

        ledger.usage = streamUsage(chatRequest, accumulator, failure !== null);
        ledger.cost = priceUsage(ledger.usage, candidate.deployment.pricing);
        ledger.attempts.push(attemptOf(attempt, failure, clock.now()));
        ledger.error = failure;
        if (!failure) {
          run.succeeded(attempt, { usage: ledger.usage, firstTokenAt });
          ledger.served = candidate;
          terminated = true;
          yield {
            type: 'completed',
            outcome: {
              generationId,
              requestedModel: request.model,
              model: candidate.modelName,
              providerId: candidate.deployment.providerId,
              upstreamModel: candidate.deployment.upstreamModel,
              result: { ...accumulator.result(), usage: ledger.usage },
              cost: ledger.cost,
              usageEstimated: accumulator.usage === null,
              latencyMs: clock.now() - ledger.startedAt,
              timeToFirstTokenMs: ledger.firstTokenAt === null ? null : ledger.firstTokenAt - ledger.startedAt,
              attempts: ledger.attempts,
              warnings: attempt.warnings,
            },
          };
          return;
        }
        // Once content reached the client a fallback would duplicate or contradict it.
        if (!run.failed(attempt, failure, accumulator.sentContent)) break;
      }
      const error = signal.aborted ? abortError(signal) : run.finalError();
      ledger.error = error;
      terminated = true;
      yield {
        type: 'error',
        error: withAttempts(error, ledger.attempts),
        generationId,
        attempts: ledger.attempts,
        usage: ledger.usage,
        cost: ledger.cost,
      };
    } finally {
      // Also runs when the consumer stops early (unsubscribe, disconnect): billed once, for what was produced.
      // A stream the gateway ended (shutdown, a revoked key) is not the client's cancel, terminal event sent or not.
      const endedByGateway = signal.aborted && !abortedByClient(signal);
      if (!endedByGateway && (!terminated || signal.aborted)) ledger.cancelledByClient = true;
      if (!terminated && current) {
        run?.abandoned(current.attempt);
        ledger.usage = streamUsage(current.attempt.upstreamRequest, current.accumulator, true);
        ledger.cost = priceUsage(ledger.usage, current.attempt.candidate.deployment.pricing);
        ledger.error ??= abortError(signal);
      }
      await this.close(ledger, ticket);
    }
  }
}

/** Iterates an adapter's stream, giving up on a pending part when the attempt times out. */
function raceEachPart<T>(iterable: AsyncIterable<T>, expired: Promise<never>): AsyncIterableIterator<T> {
  return new PartsUntilExpiry(iterable[Symbol.asyncIterator](), expired);
}

/**
 * `expired` is subscribed once for the whole stream: a `Promise.race` per part would cost a race
 * and leave one more reaction on `expired` per part until the attempt ends. Each `next()` is the
 * adapter's own, relayed through a promise that the expiry can reject first.
 */
class PartsUntilExpiry<T> implements AsyncIterableIterator<T> {
  private expiry: { error: unknown } | undefined;
  private finished = false;
  private resolvePending: ((step: IteratorResult<T>) => void) | undefined;
  private rejectPending: ((error: unknown) => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    expired: Promise<never>,
  ) {
    expired.catch((error: unknown) => {
      this.expiry = { error };
      const reject = this.rejectPending;
      if (reject === undefined) return;
      this.settled();
      this.close();
      reject(error);
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.expiry !== undefined) {
      this.close();
      return Promise.reject(this.expiry.error);
    }
    const pending = new Promise<IteratorResult<T>>(this.capture);
    this.iterator.next().then(this.onStep, this.onError);
    return pending;
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  // Bound once, not per part.
  private readonly capture = (resolve: (step: IteratorResult<T>) => void, reject: (error: unknown) => void): void => {
    this.resolvePending = resolve;
    this.rejectPending = reject;
  };

  private readonly onStep = (step: IteratorResult<T>): void => {
    const resolve = this.resolvePending;
    // Undefined when the expiry already gave up on this part.
    if (resolve === undefined) return;
    this.settled();
    if (step.done) this.finished = true;
    resolve(step);
  };

  private readonly onError = (error: unknown): void => {
    const reject = this.rejectPending;
    if (reject === undefined) return;
    this.settled();
    this.close();
    reject(error);
  };

  private settled(): void {
    this.resolvePending = undefined;
    this.rejectPending = undefined;
  }

  /** Not awaited: after a timeout the pending part settles only once the aborted request closes. */
  private close(): void {
    if (this.finished) return;
    this.finished = true;
    void Promise.resolve(this.iterator.return?.()).catch(() => undefined);
  }
}

function attemptOf(attempt: PlannedAttempt, error: GatewayError | null, now: number): Attempt {
  const { deployment, modelName } = attempt.candidate;
  return describeAttempt(deployment, modelName, error, now - attempt.startedAt, attempt.retry, attempt.backoffMs, attempt.timer.elapsedMs());
}

/** One call to one deployment, as results and usage records report it. */
export function describeAttempt(
  deployment: Pick<Deployment, 'id' | 'providerId' | 'upstreamModel'>,
  modelName: string,
  error: GatewayError | null,
  latencyMs: number,
  retry = 0,
  backoffMs = 0,
  upstreamMs = latencyMs,
): Attempt {
  return {
    deploymentId: deployment.id,
    modelName,
    providerId: deployment.providerId,
    upstreamModel: deployment.upstreamModel,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    upstreamStatus: error?.upstreamStatus ?? null,
    latencyMs,
    upstreamMs,
    retry,
    backoffMs,
  };
}

const attemptsOf = new WeakMap<GatewayError, Attempt[]>();
function withAttempts(error: GatewayError, attempts: Attempt[]): GatewayError {
  attemptsOf.set(error, attempts);
  return error;
}
/** The attempts made before a `create` failed. */
export function attemptsOfError(error: GatewayError): Attempt[] {
  return attemptsOf.get(error) ?? [];
}
