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
  /** Resolves when the client has closed the connection of a `hang` response. */
  waitForClientClose(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}
