// The completion service: resolves a model name to deployments, calls the adapters, falls back on
// errors that another deployment may not have, prices the usage and reports every attempt.
// Both the GraphQL and the REST edges call this; neither has routing logic of its own.
import type { Caller } from './auth.ts';
import type { Deployment, DeploymentTable } from './deployments.ts';
import { CancelledError, GatewayError, ModelNotFoundError, UpstreamProtocolError, toGatewayError, type ErrorCode } from './errors.ts';
import type { Clock, ProviderAdapter } from './ports.ts';
import { priceUsage } from './pricing.ts';
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
}

interface Candidate {
  modelName: string;
  deployment: Deployment;
  adapter: ProviderAdapter;
}

export class CompletionService {
  constructor(private readonly options: CompletionServiceOptions) {}

  private candidates(request: CompletionRequest): Candidate[] {
    const names = [request.model, ...(request.fallbackModels ?? [])];
    const candidates: Candidate[] = [];
    for (const name of names) {
      for (const deployment of this.options.deployments.resolve(name)) {
        const adapter = this.options.adapters.get(deployment.providerId);
        if (adapter) candidates.push({ modelName: name, deployment, adapter });
      }
    }
    if (candidates.length === 0) {
      throw new ModelNotFoundError(`No routable model named "${request.model}"; list the models this gateway serves to see which names are available.`);
    }
    return candidates;
  }

  async create(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const { clock } = this.options;
    const generationId = this.options.newId();
    const started = clock.now();
    const attempts: Attempt[] = [];
    const candidates = this.candidates(request);
    let lastError: GatewayError | undefined;
    for (const candidate of candidates) {
      if (signal.aborted) throw new CancelledError();
      const attemptStarted = clock.now();
      try {
        const result = await candidate.adapter.generate(toChatRequest(candidate, request.parameters), signal);
        attempts.push(attemptOf(candidate, null, clock.now() - attemptStarted));
        return {
          generationId,
          requestedModel: request.model,
          model: candidate.modelName,
          providerId: candidate.deployment.providerId,
          upstreamModel: candidate.deployment.upstreamModel,
          result,
          cost: priceUsage(result.usage, candidate.deployment.pricing),
          usageEstimated: false,
          latencyMs: clock.now() - started,
          timeToFirstTokenMs: null,
          attempts,
        };
      } catch (thrown) {
        const error = signal.aborted ? new CancelledError() : toGatewayError(thrown);
        attempts.push(attemptOf(candidate, error, clock.now() - attemptStarted));
        lastError = error;
        if (!FALLBACK_CODES.has(error.code)) break;
      }
    }
    throw withAttempts(lastError!, attempts);
  }

  /**
   * Streams a completion. Falls back to the next candidate until the first content has been
   * yielded; after that a failure ends the stream with an `error` event carrying partial usage.
   * The terminal event (`completed` or `error`) always comes last, unless the consumer stops first.
   */
  async *stream(request: CompletionRequest, signal: AbortSignal): AsyncGenerator<CompletionEvent> {
    const { clock } = this.options;
    const generationId = this.options.newId();
    const started = clock.now();
    const attempts: Attempt[] = [];
    yield { type: 'started', generationId, requestedModel: request.model };
    let candidates: Candidate[];
    try {
      candidates = this.candidates(request);
    } catch (error) {
      yield { type: 'error', error: toGatewayError(error), generationId, attempts, usage: emptyUsage(), cost: 0n };
      return;
    }
    let lastError: GatewayError = new UpstreamProtocolError('No deployment answered');
    let lastUsage = emptyUsage();
    let lastCost = 0n;

    for (const candidate of candidates) {
      const chatRequest = toChatRequest(candidate, request.parameters);
      const attemptStarted = clock.now();
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const accumulator = new StreamAccumulator();
      let firstTokenAt: number | null = null;
      let failure: GatewayError | null = null;
      try {
        for await (const part of candidate.adapter.stream(chatRequest, controller.signal)) {
          if (part.type === 'error') {
            failure = part.error;
            break;
          }
          const event = accumulator.take(part);
          if (event) {
            firstTokenAt ??= clock.now();
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

      const usage = usageOf(chatRequest, accumulator, failure !== null);
      const cost = priceUsage(usage, candidate.deployment.pricing);
      attempts.push(attemptOf(candidate, failure, clock.now() - attemptStarted));
      if (!failure) {
        yield {
          type: 'completed',
          outcome: {
            generationId,
            requestedModel: request.model,
            model: candidate.modelName,
            providerId: candidate.deployment.providerId,
            upstreamModel: candidate.deployment.upstreamModel,
            result: { ...accumulator.result(), usage },
            cost,
            usageEstimated: accumulator.usage === null,
            latencyMs: clock.now() - started,
            timeToFirstTokenMs: firstTokenAt === null ? null : firstTokenAt - started,
            attempts,
          },
        };
        return;
      }
      lastError = failure;
      lastUsage = usage;
      lastCost = cost;
      // Once content reached the client a fallback would duplicate or contradict it.
      if (accumulator.sentContent || signal.aborted || !FALLBACK_CODES.has(failure.code)) break;
    }
    yield { type: 'error', error: withAttempts(lastError, attempts), generationId, attempts, usage: lastUsage, cost: lastCost };
  }
}

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
