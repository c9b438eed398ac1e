// The telemetry port: what metrics and traces see of a request. The edges' access log (RequestLog)
// reports each request (REST, GraphQL over HTTP or SSE) and each GraphQL operation over WebSocket
// when it opens and when its line is complete; everything else (models, provider, tokens, cost,
// attempts) comes from the usage records the services gave the line; each upstream attempt is also
// seen while it runs (attempt-telemetry.ts). Implementations live outside
// the core (src/observability/) and are wired in the composition root.
import type { Caller } from '../auth.ts';
import type { UsageRecord } from '../metering/metering-ports.ts';
import { combineAttemptObservers, type AttemptObserver, type AttemptStart } from './attempt-telemetry.ts';

export type RequestTransport = 'http' | 'sse' | 'ws';

/** A request as the access log sees it. */
export interface ObservedRequest {
  readonly requestId: string;
  readonly transport: RequestTransport;
  /** `POST /v1/chat/completions`, `POST /graphql`, `WS /graphql`. */
  readonly route: string;
  readonly operationType: string | null;
  readonly operationName: string | null;
  readonly caller: Caller | null;
  readonly status: number | null;
  /** A streamed completion or a subscription. */
  readonly streaming: boolean;
  /** One per completion or embeddings call the request made, in order. */
  readonly usageRecords: readonly UsageRecord[];
  /**
   * Where the client's trace context came in when no request context carries it: the WebSocket
   * upgrade request's headers, for every operation on that connection.
   */
  readonly traceCarrier?: Readonly<Record<string, string | string[] | undefined>> | undefined;
  /** performance.now() when the request began. */
  readonly startedAtHr: number;
  /** Kept for the telemetry implementation (a trace's span), so it needs no map of its own. */
  telemetrySlot: unknown;
}

export interface RequestEnd {
  /** The first error code the client saw, or the services' (null: success). */
  errorCode: string | null;
  /** High resolution (performance.now()). */
  durationMs: number;
}

export interface RequestTelemetry {
  requestStarted(request: ObservedRequest): void;
  requestEnded(request: ObservedRequest, end: RequestEnd): void;
  /** An upstream attempt of one of the request's calls begins (attempt-telemetry.ts). */
  attemptStarted?(request: ObservedRequest, start: AttemptStart): AttemptObserver | undefined;
}

/** Several telemetry sinks as one (metrics and traces). */
export function combineTelemetry(sinks: ReadonlyArray<RequestTelemetry | undefined>): RequestTelemetry | undefined {
  const present = sinks.filter((sink): sink is RequestTelemetry => sink !== undefined);
  if (present.length <= 1) return present[0];
  return {
    requestStarted: (request) => present.forEach((sink) => sink.requestStarted(request)),
    requestEnded: (request, end) => present.forEach((sink) => sink.requestEnded(request, end)),
    attemptStarted: (request, start) => combineAttemptObservers(present.map((sink) => sink.attemptStarted?.(request, start))),
  };
}
