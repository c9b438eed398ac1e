// The messages between the orchestrator (bench/run.ts) and the load generator process
// (bench/load-worker.ts), and the figures one measured run yields.
import type { StreamProtocol } from './stream-clients.ts';

export interface RequestLoad {
  kind: 'requests';
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  durationSeconds: number;
  /** Each 2xx body must contain this text; others count as mismatches. */
  expectText: string;
  /** The process whose CPU and peak RSS are measured (the gateway). */
  pid?: number;
}

export interface StreamLoad {
  kind: 'streams';
  protocol: StreamProtocol;
  url: string;
  headers: Record<string, string>;
  /** The HTTP body (SSE protocols) or the JSON of the graphql-ws subscribe payload. */
  body: string;
  /** Concurrent streams. */
  streams: number;
  /** Streams each slot runs one after the other. */
  rounds: number;
  /** Content events each stream must deliver. */
  expectedEvents: number;
  /** Slot starts are spread over this time so connects do not arrive as one burst. */
  rampMs: number;
  timeoutMs: number;
  pid?: number;
}

/**
 * Open loop at a fixed rate: request i is sent at t0 + i / rate whatever the earlier ones did, so a
 * gateway that falls behind builds a queue, and latency runs from the scheduled send time.
 */
export interface RateLoad {
  kind: 'rate';
  url: string;
  headers: Record<string, string>;
  body: string;
  expectText: string;
  /** Requests per second offered. */
  rate: number;
  /** Sent at the same rate before the measured window; not counted. */
  warmupSeconds: number;
  durationSeconds: number;
  /** Most keep-alive connections the client opens (as needed); beyond them requests queue in the client, still timed from their schedule. */
  connections: number;
  /** A request not answered this long after it was sent (its schedule plus the generator's lag) is aborted and counts as a timeout. */
  timeoutMs: number;
  pid?: number;
}

export type LoadCommand = (RequestLoad | StreamLoad | RateLoad) & { id: number };

export interface ProcessFigures {
  /** Gateway CPU (user + system) during the measured window. */
  cpuMicroseconds: number | null;
  peakRssMegabytes: number | null;
  /** RSS when the window opened. */
  startRssMegabytes: number | null;
  /** Share of the gateway's core that other processes (not the gateway) used during the window, %. */
  otherLoadPercent: number | null;
  /** VmHWM was reset at the window's start; otherwise the peak is the process lifetime's. */
  peakResetWorked: boolean | null;
}

export interface RequestFigures extends ProcessFigures {
  kind: 'requests';
  durationSeconds: number;
  /** 2xx responses whose body held the expected text. */
  okRequests: number;
  failedRequests: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  cpuMicrosecondsPerRequest: number | null;
  firstFailure: string | null;
}

export interface StreamFigures extends ProcessFigures {
  kind: 'streams';
  durationSeconds: number;
  streams: number;
  incompleteStreams: number;
  contentEvents: number;
  eventsPerSecond: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  cpuMicrosecondsPerEvent: number | null;
  firstFailure: string | null;
}

export interface RateFigures extends ProcessFigures {
  kind: 'rate';
  offeredRate: number;
  durationSeconds: number;
  /** Requests scheduled inside the measured window; the latency figures are theirs. */
  scheduledRequests: number;
  /** 2xx responses whose body held the expected text, of the scheduled ones. */
  okRequests: number;
  /** Non-2xx, unexpected body or connection error, of the scheduled ones. */
  failedRequests: number;
  /** Aborted unanswered timeoutMs after they were sent, of the scheduled ones. */
  timeouts: number;
  /** Expected responses completed inside the window, per second (any request's, warm-up's included). */
  achievedRate: number;
  /** From the scheduled send time to the last byte of the response, over okRequests. */
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** How late the generator itself sent, p99 (its own saturation shows here, not the gateway's). */
  sendLagP99Ms: number;
  /** Gateway CPU in the window over the responses completed in it. */
  cpuMicrosecondsPerRequest: number | null;
  /** The measured window in monotonic microseconds (process.hrtime), for cutting a CPU profile. */
  window: [number, number];
  firstFailure: string | null;
}

export type LoadFigures = RequestFigures | StreamFigures | RateFigures;

export type LoadReply = { id: number; figures: LoadFigures } | { id: number; error: string };
