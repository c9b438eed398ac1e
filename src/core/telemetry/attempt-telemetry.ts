// What metrics and traces see of one upstream attempt while it runs: its start (a trace's attempt
// span begins, so the upstream request can carry that span as its parent), each chunk a stream
// sends on (inter-token time), and its end with what the upstream answered (response id, finish
// reason, usage, and the content for the opt-in content capture). The metered request reports
// them (requests/metered-request.ts); implementations live in src/observability/.
import type { Attempt, ResponseIdentity } from '../requests/attempt.ts';
import type { ToolCall, Usage } from '../types.ts';

/** `gen_ai.operation.name`. */
export type GenAiOperation = 'chat' | 'embeddings';

export interface AttemptStart {
  operation: GenAiOperation;
  /** The public model name the attempt serves (after aliases and fallbacks). */
  modelName: string;
  providerId: string;
  deploymentId: string;
  upstreamModel: string;
  streamed: boolean;
  /** 0 for the first round over the candidates, then the retry number. */
  retry: number;
  /** What the deployment is sent (a ChatRequest, an EmbeddingRequest): read only by the opt-in content capture. */
  upstreamRequest: unknown;
  /**
   * The attempt's own signal. Every adapter hands it to the HTTP client unchanged, so it is how the
   * HTTP client finds the attempt an upstream request belongs to (trace context propagation).
   */
  signal: AbortSignal;
}

/** What an attempt's upstream answered (or produced before it failed). */
export interface AttemptAnswer extends ResponseIdentity {
  usage: Usage | null;
  /** Streams: from the attempt's start to its first content chunk. */
  timeToFirstChunkMs: number | null;
  /** Chat: the generated content, for the opt-in content capture (a reference, never copied). */
  output?: { readonly text: string; readonly reasoning: string; readonly toolCalls: readonly ToolCall[] };
}

export interface AttemptObserver {
  /** A stream sent a chunk on to the client. Called per chunk: must be cheap. */
  chunk?(): void;
  /** The attempt is over: `attempt` as listed on the usage record, `answer` null when nothing was answered. */
  ended(attempt: Attempt, answer: AttemptAnswer | null): void;
}

/** Attempt observers of several sinks as one; undefined when none observes. */
export function combineAttemptObservers(observers: ReadonlyArray<AttemptObserver | undefined>): AttemptObserver | undefined {
  const present = observers.filter((observer): observer is AttemptObserver => observer !== undefined);
  if (present.length <= 1) return present[0];
  const chunked = present.filter((observer) => observer.chunk !== undefined);
  return {
    ...(chunked.length > 0 ? { chunk: () => chunked.forEach((observer) => observer.chunk!()) } : {}),
    ended: (attempt, answer) => present.forEach((observer) => observer.ended(attempt, answer)),
  };
}
