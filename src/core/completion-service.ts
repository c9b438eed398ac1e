// The completion service: asks the router for attempts (deployment choice, fallbacks, retries,
// cooldown, timeouts), calls the adapters and turns what they produce into an answer or a stream
// of events. Metering (admission, attempts, settlement, the usage record) is the metered request's
// (requests/metered-request.ts). Both the GraphQL and the REST edges call this; neither has
// routing logic of its own.
import { hitCost, servedByOf, type CachedChatAnswer } from './cache/cached-answer.ts';
import { chatAnswerOf, chatCacheQuery, replayChatAnswer } from './cache/chat-answers.ts';
import type { CacheStatus } from './cache/cache-policy.ts';
import type { CacheTicket, ResponseCache } from './cache/response-cache.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { abortError, UpstreamProtocolError, toGatewayError, type GatewayError } from './errors.ts';
import type { Admission, UsageSink } from './metering/metering-ports.ts';
import type { Clock } from './ports.ts';
import { attemptFailure } from './requests/attempt.ts';
import { validateChatParameters } from './requests/chat-parameters.ts';
import { answerOnce, openCacheTicket } from './requests/answer-once.ts';
import { MeteredRequest, requestMetering, type RequestMetering } from './requests/metered-request.ts';
import { raceEachPart } from './requests/race-each-part.ts';
import type { CompletionEvent, CompletionOutcome, CompletionRequest } from './requests/request-types.ts';
import type { DeploymentHealthStore } from './router/deployment-health-store.ts';
import type { PlannedAttempt, RouteRun } from './router/route-run.ts';
import type { AdapterLookup } from './router/router-context.ts';
import type { RouterSettingsInput } from './router/router-settings.ts';
import { Router, type DeploymentState } from './router/router.ts';
import { StreamAccumulator, streamUsage } from './stream-accumulator.ts';
import { type ChatResult, emptyUsage } from './types.ts';

export type { AdapterLookup } from './router/router-context.ts';
export type { Attempt } from './requests/attempt.ts';
export type { CompletionEvent, CompletionOutcome, CompletionParameters, CompletionRequest } from './requests/request-types.ts';

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
  /** The response cache; absent: no request is cached. */
  cache?: ResponseCache;
}

/** Output tokens reserved when neither the request nor the deployment gives a maximum. */
const DEFAULT_OUTPUT_ALLOWANCE = 4096;

export class CompletionService {
  private readonly metering: RequestMetering;
  /** Embeddings route through it too: one live state (cooldown, stats) per deployment. */
  readonly router: Router;

  constructor(private readonly options: CompletionServiceOptions) {
    this.metering = requestMetering(options);
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

  /** Refuses parameters that break a rule (INVALID_REQUEST) before anything is metered, as an edge would. */
  async create(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    validateChatParameters(request.parameters);
    const metered = this.begin(request, false);
    return answerOnce({ metered, call: request, cache: this.options.cache, signal }, async (openCache) => {
      const run = this.router.route(request, false);
      // Admission comes first: a hit counts against rate limits and budgets as any request.
      await metered.admit(run, outputAllowance(request));
      const ticket = await openCache(chatCacheQuery(request));
      if (ticket?.answer?.kind === 'chat') return this.serveHit(metered, ticket.answer);
      const { attempt, result } = await metered.firstAnswer(run, signal, (planned) => planned.candidate.adapter.generate(planned.upstreamRequest, planned.timer.signal));
      run.succeeded(attempt, { usage: result.usage, firstTokenAt: null });
      metered.answered(attempt, result.usage, { responseId: result.id, finishReason: result.finishReason, timeToFirstChunkMs: null, output: result });
      const outcome = outcomeOf(metered, attempt, result, false, ticket?.status ?? null);
      ticket?.complete(chatAnswerOf(outcome, attempt.candidate.deployment.id));
      return outcome;
    });
  }

  /**
   * Streams a completion. Falls back (and retries) until the first content has been yielded;
   * after that a failure ends the stream with an `error` event carrying partial usage.
   * The terminal event (`completed` or `error`) always comes last, unless the consumer stops first.
   * Parameters that break a rule end it at once with an `error` event, before anything is metered.
   */
  async *stream(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
    const { clock } = this.options;
    try {
      validateChatParameters(request.parameters);
    } catch (thrown) {
      yield { type: 'error', error: toGatewayError(thrown), generationId: '', attempts: [], usage: emptyUsage(), cost: 0n };
      return;
    }
    const metered = this.begin(request, true);
    const { generationId } = metered;
    let terminated = false;
    let current: { attempt: PlannedAttempt; accumulator: StreamAccumulator } | null = null;
    let run: RouteRun | undefined;
    let ticket: CacheTicket | null = null;
    try {
      yield { type: 'started', generationId, requestedModel: request.model };
      try {
        run = this.router.route(request, true);
        await metered.admit(run, outputAllowance(request));
        ticket = await openCacheTicket(this.options.cache, chatCacheQuery(request), request, signal);
      } catch (thrown) {
        const error = metered.failed(thrown);
        terminated = true;
        yield { type: 'error', error, generationId, attempts: [], usage: emptyUsage(), cost: 0n };
        return;
      }
      if (ticket?.answer?.kind === 'chat') {
        // A hit is replayed as a stream: the same events, then the terminal one.
        metered.firstTokenAt = clock.now();
        const outcome = this.serveHit(metered, ticket.answer);
        yield* replayChatAnswer(ticket.answer);
        terminated = true;
        yield { type: 'completed', outcome: { ...outcome, latencyMs: metered.elapsedMs() } };
        return;
      }

      for (let attempt = await metered.next(run, signal); attempt; attempt = await metered.next(run, signal)) {
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
              metered.firstTokenAt ??= firstTokenAt;
              metered.served = candidate;
              metered.chunkSent();
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
        const error = failure || signal.aborted ? attemptFailure(failure, timer, signal) : null;
        metered.bill(streamUsage(chatRequest, accumulator, error !== null), candidate.deployment);
        metered.attemptEnded(attempt, error, {
          usage: metered.usage,
          responseId: accumulator.id,
          finishReason: accumulator.finishReason,
          timeToFirstChunkMs: firstTokenAt === null ? null : firstTokenAt - attempt.startedAt,
          output: accumulator,
        });
        if (!error) {
          run.succeeded(attempt, { usage: metered.usage, firstTokenAt });
          metered.served = candidate;
          terminated = true;
          const outcome = outcomeOf(metered, attempt, { ...accumulator.result(), usage: metered.usage }, accumulator.usage === null, ticket?.status ?? null);
          ticket?.complete(chatAnswerOf(outcome, candidate.deployment.id));
          yield { type: 'completed', outcome };
          return;
        }
        // Once content reached the client a fallback would duplicate or contradict it.
        if (!run.failed(attempt, error, accumulator.sentContent)) break;
      }
      const error = metered.unserved(run, signal);
      metered.failed(error);
      terminated = true;
      yield { type: 'error', error, generationId, attempts: metered.attempts, usage: metered.usage, cost: metered.cost };
    } finally {
      ticket?.abandon();
      // Also runs when the consumer stops early (unsubscribe, disconnect): billed once, for what was produced.
      if (!terminated && current) {
        run?.abandoned(current.attempt);
        metered.bill(streamUsage(current.attempt.upstreamRequest, current.accumulator, true), current.attempt.candidate.deployment);
        metered.error ??= abortError(signal);
      }
      await metered.end(signal, !terminated);
    }
  }

  /** A hit: no upstream call; the original answer's tokens, at the configured fraction of its cost. */
  private serveHit(metered: MeteredRequest, answer: CachedChatAnswer): CompletionOutcome {
    const served = servedByOf(answer.served);
    metered.serveWithoutUpstream(served, answer.result.usage, hitCost(BigInt(answer.cost), this.options.cache?.settings.hitCostFraction ?? 0));
    return {
      ...metered.outcomeHead(served),
      result: answer.result,
      cost: metered.cost,
      usageEstimated: answer.usageEstimated,
      latencyMs: metered.elapsedMs(),
      timeToFirstTokenMs: metered.timeToFirstTokenMs(),
      attempts: [],
      warnings: [],
      cacheStatus: 'HIT',
    };
  }

  private begin(request: CompletionRequest, streamed: boolean): MeteredRequest {
    return new MeteredRequest(this.metering, { operation: 'chat', requestedModel: request.model, endUser: request.parameters.user ?? null, streamed, call: request });
  }
}

/** The output tokens to reserve on a deployment: the request's maximum, else the deployment's, else a default. */
function outputAllowance(request: CompletionRequest): (deployment: Deployment) => number {
  return (deployment) => request.parameters.maxOutputTokens ?? deployment.maxOutputTokens ?? DEFAULT_OUTPUT_ALLOWANCE;
}

function outcomeOf(metered: MeteredRequest, attempt: PlannedAttempt, result: ChatResult, usageEstimated: boolean, cacheStatus: CacheStatus | null): CompletionOutcome {
  return {
    ...metered.outcomeHead(attempt.candidate),
    result,
    cost: metered.cost,
    usageEstimated,
    latencyMs: metered.elapsedMs(),
    timeToFirstTokenMs: metered.timeToFirstTokenMs(),
    attempts: metered.attempts,
    warnings: attempt.warnings,
    cacheStatus,
  };
}
