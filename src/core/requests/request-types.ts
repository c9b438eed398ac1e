// What the services take and give: chat completions (one answer or a stream of events) and
// embeddings. Apart from the services so that what reads them (the stream accumulator, the edges,
// the Responses API) does not import a service.
import type { Caller } from '../auth.ts';
import type { CacheDirectives, CacheStatus } from '../cache/cache-policy.ts';
import type { EmbeddingInputType, EmbeddingUsage } from '../embeddings.ts';
import type { GatewayError } from '../errors.ts';
import type { UsageObserver } from '../metering/metering-ports.ts';
import type { RateLimitStatus } from '../metering/rate-limit-status.ts';
import type { RoutingPreferences } from '../router/routing-preferences.ts';
import type { ChatRequest, ChatResult, ReasoningBlock, Usage } from '../types.ts';
import type { AttemptObserver, AttemptStart } from '../telemetry/attempt-telemetry.ts';
import type { Attempt } from './attempt.ts';

/** What every metered request carries besides its operation's parameters. */
export interface MeteredCall {
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
  /** Called as each upstream attempt starts: metrics and traces of the attempt while it runs (the edge's request). */
  onAttemptStarted?: (start: AttemptStart) => AttemptObserver | undefined;
  /** What the request asks of the response cache (absent: the configured default). */
  cache?: CacheDirectives;
  /** Called once the response cache was consulted, before any content (REST x-modelgraph-cache). */
  onCacheStatus?: (status: CacheStatus) => void;
}

export type CompletionParameters = Omit<ChatRequest, 'model'>;

export interface CompletionRequest extends MeteredCall {
  /** The public model name (a configured name or `provider/model`, optionally `:floor` / `:nitro`). */
  model: string;
  /** Models tried in order after `model`'s deployments, as OpenRouter's `models` list. */
  fallbackModels?: string[];
  parameters: CompletionParameters;
  /** Provider preferences (OpenRouter's `provider` object) and the request's deadline. */
  routing?: RoutingPreferences;
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
  /** HIT, MISS or BYPASS when the response cache took part; null when it did not. */
  cacheStatus: CacheStatus | null;
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

export interface EmbeddingsRequest extends MeteredCall {
  /** The public model name (a configured name or `provider/model`). */
  model: string;
  input: string[];
  dimensions?: number;
  inputType?: EmbeddingInputType;
  /** End-user id: kept on the usage record, counted against end-user budgets, sent upstream. */
  user?: string;
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
  /** HIT, MISS or BYPASS when the response cache took part; null when it did not. */
  cacheStatus: CacheStatus | null;
}
