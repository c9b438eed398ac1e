// The completion service: resolves a model name to deployments, calls the adapters, falls back on
// errors that another deployment may not have, prices the usage and reports every attempt.
// Both the GraphQL and the REST edges call this; neither has routing logic of its own.
import type { Caller } from './auth.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { CancelledError, GatewayError, ModelNotFoundError, UpstreamProtocolError, toGatewayError, type ErrorCode } from './errors.ts';
import type { Clock, ProviderAdapter } from './ports.ts';
import { maximumCost, priceUsage } from './pricing.ts';
import { noAdmission, noUsageSink, type Admission, type AdmissionTicket, type UsageSink } from './metering.ts';
import { assertModelAllowed, resolveModelAlias } from './model-access.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import type { ChatRequest, ChatResult, FinishReason, ReasoningBlock, StreamPart, ToolCall, Usage } from './types.ts';
import { emptyUsage } from './types.ts';

export type CompletionParameters = Omit<ChatRequest, 'model'>;

export interface CompletionRequest {
  /** The public model name (a configured name or `provider/model`). */
  model: string;
  /** Models tried in order after `model`'s deployments, as OpenRouter's `models` list. */
  fallbackModels?: string[];
  parameters: CompletionParameters;
  /** The authenticated caller; authorization, budgets and metering apply to it. */
  caller?: Caller;
  /** The edge's request id, kept on the usage record. */
  requestId?: string;
}

export interface Attempt {
  deploymentId: string;
  modelName: string;
  providerId: string;
  upstreamModel: string;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  latencyMs: number;
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

/** Errors that another deployment may not have; the rest are the request's own fault. */
const FALLBACK_CODES: ReadonlySet<ErrorCode> = new Set([
  'RATE_LIMITED',
  'OVERLOADED',
  'TIMEOUT',
  'UPSTREAM_ERROR',
  'UPSTREAM_PROTOCOL_ERROR',
  'MODEL_NOT_FOUND',
  'CONTEXT_LENGTH_EXCEEDED',
]);

export interface AdapterLookup {
  get(providerId: string): ProviderAdapter | undefined;
}

export interface CompletionServiceOptions {
  deployments: DeploymentTable;
  adapters: AdapterLookup;
  clock: Clock;
  newId(): string;
  /** Budgets and rate limits, reserved before any upstream call. */
  admission?: Admission;
  /** Where each request's usage record goes (buffered, off the request path). */
  usage?: UsageSink;
}

interface Candidate {
  modelName: string;
  deployment: Deployment;
  adapter: ProviderAdapter;
}

interface Prepared {
  model: string;
  candidates: Candidate[];
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

export class CompletionService {
  private readonly admission: Admission;
  private readonly usageSink: UsageSink;

  constructor(private readonly options: CompletionServiceOptions) {
    this.admission = options.admission ?? noAdmission;
    this.usageSink = options.usage ?? noUsageSink;
  }

  /** Applies aliases, resolves the candidates and checks the caller may use the model. */
  private prepare(request: CompletionRequest): Prepared {
    const model = resolveModelAlias(request.caller, request.model);
    const names = [model, ...(request.fallbackModels ?? []).map((name) => resolveModelAlias(request.caller, name))];
    const candidates: Candidate[] = [];
    for (const name of names) {
      const deployments = this.options.deployments.resolve(name);
      if (deployments.length === 0) continue;
      assertModelAllowed(request.caller, name, deployments.map((d) => d.providerId));
      for (const deployment of deployments) {
        const adapter = this.options.adapters.get(deployment.providerId);
        if (adapter) candidates.push({ modelName: name, deployment, adapter });
      }
    }
    if (candidates.length === 0) {
      throw new ModelNotFoundError(`No routable model named "${request.model}"; list the models this gateway serves to see which names are available.`);
    }
    return { model, candidates };
  }

  private admit(request: CompletionRequest, prepared: Prepared): Promise<AdmissionTicket> {
    const promptTokens = estimatePromptTokens(request.parameters);
    let maxCost = 0n;
    let maxOutput = 0;
    for (const candidate of prepared.candidates) {
      const output = request.parameters.maxOutputTokens ?? candidate.deployment.maxOutputTokens ?? DEFAULT_OUTPUT_ALLOWANCE;
      maxOutput = Math.max(maxOutput, output);
      const cost = maximumCost(promptTokens, output, candidate.deployment.pricing);
      if (cost > maxCost) maxCost = cost;
    }
    return this.admission.admit({
      caller: request.caller,
      endUser: request.parameters.user ?? null,
      model: prepared.model,
      maxTokens: promptTokens + maxOutput,
      maxCost,
    });
  }

  /** Settles the reservation with the actual cost and hands the record to the usage sink. */
  private async close(ledger: LedgerLike, ticket: AdmissionTicket | null): Promise<void> {
    const { clock } = this.options;
    try {
      await ticket?.settle({ cost: ledger.cost, tokens: ledger.usage.inputTokens + ledger.usage.outputTokens });
    } finally {
      const caller = ledger.request.caller;
      const served = ledger.served;
      this.usageSink.record({
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

  async create(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const { clock } = this.options;
    const ledger = new RequestLedger(this.options.newId(), request, clock.now(), false);
    let ticket: AdmissionTicket | null = null;
    try {
      const prepared = this.prepare(request);
      ticket = await this.admit(request, prepared);
      for (const candidate of prepared.candidates) {
        if (signal.aborted) throw new CancelledError();
        const attemptStarted = clock.now();
        try {
          const result = await candidate.adapter.generate(toChatRequest(candidate, request.parameters), signal);
          ledger.attempts.push(attemptOf(candidate, null, clock.now() - attemptStarted));
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
          };
        } catch (thrown) {
          const error = signal.aborted ? new CancelledError() : toGatewayError(thrown);
          ledger.attempts.push(attemptOf(candidate, error, clock.now() - attemptStarted));
          ledger.error = error;
          if (!FALLBACK_CODES.has(error.code)) break;
        }
      }
      throw withAttempts(ledger.error!, ledger.attempts);
    } catch (thrown) {
      ledger.error = toGatewayError(thrown);
      ledger.cancelledByClient = signal.aborted;
      throw thrown;
    } finally {
      await this.close(ledger, ticket);
    }
  }

  /**
   * Streams a completion. Falls back to the next candidate until the first content has been
   * yielded; after that a failure ends the stream with an `error` event carrying partial usage.
   * The terminal event (`completed` or `error`) always comes last, unless the consumer stops first.
   */
  async *stream(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
    const { clock } = this.options;
    const ledger = new RequestLedger(this.options.newId(), request, clock.now(), true);
    const { generationId } = ledger;
    let ticket: AdmissionTicket | null = null;
    let terminated = false;
    let current: { candidate: Candidate; chatRequest: ChatRequest; accumulator: StreamAccumulator } | null = null;
    try {
      yield { type: 'started', generationId, requestedModel: request.model };
      let prepared: Prepared;
      try {
        prepared = this.prepare(request);
        ticket = await this.admit(request, prepared);
      } catch (error) {
        ledger.error = toGatewayError(error);
        terminated = true;
        yield { type: 'error', error: ledger.error, generationId, attempts: [], usage: emptyUsage(), cost: 0n };
        return;
      }
      ledger.error = new UpstreamProtocolError('No deployment answered');

      for (const candidate of prepared.candidates) {
        const chatRequest = toChatRequest(candidate, request.parameters);
        const attemptStarted = clock.now();
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const accumulator = new StreamAccumulator();
        current = { candidate, chatRequest, accumulator };
        let failure: GatewayError | null = null;
        try {
          for await (const part of candidate.adapter.stream(chatRequest, controller.signal)) {
            if (part.type === 'error') {
              failure = part.error;
              break;
            }
            const event = accumulator.take(part);
            if (event) {
              ledger.firstTokenAt ??= clock.now();
              ledger.served = candidate;
              yield event;
            }
          }
        } catch (thrown) {
          failure = toGatewayError(thrown);
        } finally {
          signal.removeEventListener('abort', onAbort);
          // Closes the upstream connection when the consumer stopped early or anything failed.
          controller.abort();
        }
        if (signal.aborted) failure = new CancelledError();
        if (!failure && !accumulator.finished) failure = new UpstreamProtocolError('The upstream stream ended without a finish');

        ledger.usage = usageOf(chatRequest, accumulator, failure !== null);
        ledger.cost = priceUsage(ledger.usage, candidate.deployment.pricing);
        ledger.attempts.push(attemptOf(candidate, failure, clock.now() - attemptStarted));
        ledger.error = failure;
        if (!failure) {
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
            },
          };
          return;
        }
        // Once content reached the client a fallback would duplicate or contradict it.
        if (accumulator.sentContent || signal.aborted || !FALLBACK_CODES.has(failure.code)) break;
      }
      terminated = true;
      yield {
        type: 'error',
        error: withAttempts(ledger.error!, ledger.attempts),
        generationId,
        attempts: ledger.attempts,
        usage: ledger.usage,
        cost: ledger.cost,
      };
    } finally {
      // Also runs when the consumer stops early (unsubscribe, disconnect): billed once, for what was produced.
      if (!terminated || signal.aborted) ledger.cancelledByClient = true;
      if (!terminated && current) {
        ledger.usage = usageOf(current.chatRequest, current.accumulator, true);
        ledger.cost = priceUsage(ledger.usage, current.candidate.deployment.pricing);
        ledger.error ??= new CancelledError();
      }
      await this.close(ledger, ticket);
    }
  }
}

type LedgerLike = RequestLedger;

/** Output tokens reserved when neither the request nor the deployment gives a maximum. */
const DEFAULT_OUTPUT_ALLOWANCE = 4096;

function toChatRequest(candidate: Candidate, parameters: CompletionParameters): ChatRequest {
  const maxOutputTokens =
    parameters.maxOutputTokens ?? candidate.deployment.maxOutputTokens ?? undefined;
  return { ...parameters, model: candidate.deployment.upstreamModel, ...(maxOutputTokens ? { maxOutputTokens } : {}) };
}

function attemptOf(candidate: Candidate, error: GatewayError | null, latencyMs: number): Attempt {
  return {
    deploymentId: candidate.deployment.id,
    modelName: candidate.modelName,
    providerId: candidate.deployment.providerId,
    upstreamModel: candidate.deployment.upstreamModel,
    errorCode: error?.code ?? null,
    errorMessage: error?.message ?? null,
    latencyMs,
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

/**
 * The usage to bill for a stream. Reported usage wins; when the upstream reported none, or a
 * failed stream was cut before its final usage, the produced output is estimated so partial
 * output is billed. A failure before any content bills nothing beyond what the upstream reported.
 */
function usageOf(request: ChatRequest, accumulator: StreamAccumulator, failed: boolean): Usage {
  const reported = accumulator.usage;
  if (reported && !failed) return reported;
  if (!accumulator.sentContent) return reported ?? emptyUsage();
  const outputCharacters =
    accumulator.text.length + accumulator.reasoning.length + accumulator.toolCalls.reduce((n, c) => n + c.arguments.length + c.name.length, 0);
  const estimatedOutput = Math.ceil(outputCharacters / 4);
  return {
    ...(reported ?? emptyUsage()),
    inputTokens: reported?.inputTokens || estimatePromptTokens(request),
    outputTokens: Math.max(reported?.outputTokens ?? 0, estimatedOutput),
  };
}

/** Builds the final result from stream parts and turns parts into client events. */
class StreamAccumulator {
  text = '';
  reasoning = '';
  reasoningBlocks: ReasoningBlock[] = [];
  toolCalls: ToolCall[] = [];
  private toolIndex = new Map<number, number>();
  usage: Usage | null = null;
  finishReason: FinishReason | null = null;
  id: string | null = null;
  model: string | null = null;
  sentContent = false;

  get finished(): boolean {
    return this.finishReason !== null;
  }

  take(part: StreamPart): CompletionEvent | null {
    switch (part.type) {
      case 'response-metadata':
        this.id = part.id;
        this.model = part.model;
        return null;
      case 'text-delta':
        if (part.text === '') return null;
        this.text += part.text;
        this.sentContent = true;
        return { type: 'text-delta', text: part.text };
      case 'reasoning-delta':
        if (part.text === '') return null;
        this.reasoning += part.text;
        this.sentContent = true;
        return { type: 'reasoning-delta', text: part.text };
      case 'reasoning-block':
        this.reasoningBlocks.push(part.block);
        return { type: 'reasoning-block', block: part.block };
      case 'tool-call-start': {
        const position = this.toolCalls.push({ id: part.id, name: part.name, arguments: '' }) - 1;
        this.toolIndex.set(part.index, position);
        this.sentContent = true;
        return { type: 'tool-call-delta', index: position, id: part.id, name: part.name, argumentsDelta: '' };
      }
      case 'tool-call-delta': {
        const position = this.toolIndex.get(part.index);
        if (position === undefined || part.argumentsDelta === '') return null;
        this.toolCalls[position]!.arguments += part.argumentsDelta;
        return { type: 'tool-call-delta', index: position, id: null, name: null, argumentsDelta: part.argumentsDelta };
      }
      case 'tool-call-end':
        return null;
      case 'usage':
        this.usage = part.usage;
        return null;
      case 'finish':
        this.finishReason = part.finishReason;
        return null;
      case 'error':
        return null;
    }
  }

  result(): ChatResult {
    return {
      id: this.id,
      model: this.model,
      text: this.text,
      toolCalls: this.toolCalls,
      reasoning: this.reasoning,
      reasoningBlocks: this.reasoningBlocks,
      finishReason: this.finishReason ?? { unified: 'OTHER', raw: null },
      usage: this.usage ?? emptyUsage(),
    };
  }
}
