// The contract every upstream simulator in test/ implements. A scenario says what the upstream
// should answer in canonical terms; each simulator speaks it in its own wire format exactly
// (JSON bodies, SSE framing, error bodies), so one conformance suite can drive every adapter.

export interface ScenarioUsage {
  /** Normalised: every prompt token, cached ones included. */
  input: number;
  /** Normalised: every generated token, reasoning included. */
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface ScenarioToolCall {
  id: string;
  name: string;
  arguments: string;
}

export type Scenario =
  | {
      kind: 'text';
      /** Streamed as these deltas, in this order (joined = the full text). */
      chunks: string[];
      reasoningChunks?: string[];
      usage: ScenarioUsage;
      finish?: 'stop' | 'length' | 'content_filter';
      /** Milliseconds between streamed events. */
      gapMs?: number;
    }
  | {
      kind: 'tool-calls';
      /** Optional text before the calls. */
      chunks?: string[];
      calls: ScenarioToolCall[];
      /** Each call's arguments are streamed split into this many pieces (at least 2). */
      argumentPieces?: number;
      usage: ScenarioUsage;
    }
  | {
      kind: 'error';
      status: number;
      message: string;
      /** Marks the error as the provider's context-length error (its own type/code). */
      contextLength?: boolean;
      retryAfterSeconds?: number;
    }
  /** Streams the given deltas, then drops the connection without a terminal event. */
  | { kind: 'cut'; chunks: string[] }
  /** Sends response headers and one delta, then waits until the client goes away. */
  | { kind: 'hang'; chunks?: string[] };

export interface RecordedRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface UpstreamSimulator {
  /** The base URL to configure the adapter with (e.g. http://127.0.0.1:PORT/v1). */
  baseUrl: string;
  /** The scenario for following requests; a function may pick by request. */
  setScenario(scenario: Scenario | ((request: RecordedRequest) => Scenario)): void;
  readonly requests: RecordedRequest[];
  /**
   * This moment in the simulator's history and the requests open at it. A cancellation test takes
   * it just before it aborts (see `closeCausedBy`), so only a close that its abort caused counts.
   */
  markOpenRequests(): CloseMark;
  /**
   * Resolves with the first close the client started after `mark`, of a request open at `mark`;
   * rejects after `timeoutMs`. The simulator's own cuts and responses that ended are not closes.
   */
  waitForClientClose(mark: CloseMark, timeoutMs?: number): Promise<ClientClose>;
  close(): Promise<void>;
}

export interface CloseMark {
  /** Closes numbered above this one came after the mark. */
  readonly sequence: number;
  /** The `exchange` numbers of the responses open at the mark. */
  readonly open: readonly number[];
}

/** A response the client closed before it was finished. */
export interface ClientClose {
  /** Numbered from 1 in the order the closes happened. */
  sequence: number;
  /** The simulator's own count of requests, from 1 (unlike an index in `requests`, which a test may clear). */
  exchange: number;
  request: RecordedRequest;
}

/** Two parallel weather calls whose arguments arrive in three pieces each (the REST streaming tests). */
export const weatherInParisAndOslo: Scenario = {
  kind: 'tool-calls',
  calls: [
    { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    { id: 'call_2', name: 'get_weather', arguments: '{"city":"Oslo"}' },
  ],
  argumentPieces: 3,
  usage: { input: 30, output: 20 },
};
