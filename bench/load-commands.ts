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

export type LoadCommand = (RequestLoad | StreamLoad) & { id: number };

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

export type LoadFigures = RequestFigures | StreamFigures;

export type LoadReply = { id: number; figures: LoadFigures } | { id: number; error: string };
