// One access-log line per request (REST, GraphQL over HTTP) or per operation (GraphQL over
// WebSocket): what the edge saw (request id, route or GraphQL operation, caller, status) joined
// with what the services did, taken from their usage records (models, provider, tokens, cost,
// attempts). The edge creates one per request, passes `usage` to the services as their usage
// observer and calls `end()` when its transport is done; work still finishing (a stream whose
// service is closing) holds the line until its record is in. Never holds a secret, a prompt or a
// completion: the body only when the operator asked for it (`log.bodies`), already redacted.
import type { Caller } from './auth.ts';
import { GatewayError } from './errors.ts';
import type { UsageRecord } from './metering/metering-ports.ts';
import type { Clock, LogFields, Logger } from './ports.ts';
import type { AttemptObserver, AttemptStart } from './telemetry/attempt-telemetry.ts';
import type { ObservedRequest, RequestTelemetry, RequestTransport } from './telemetry/request-telemetry.ts';

export type Transport = RequestTransport;

/** What every request log of an instance shares (built once in the composition root). */
export interface RequestLogSettings {
  logger: Logger;
  clock: Clock;
  /** Set by `log.bodies: true`: the access line then carries the body, passed through this redactor. */
  redactBody?: ((body: unknown) => unknown) | undefined;
  /** Metrics and traces: told when the request opens and when its line is complete. */
  telemetry?: RequestTelemetry | undefined;
}

export interface RequestLogOptions extends RequestLogSettings {
  requestId: string;
  transport: Transport;
  /** `POST /v1/chat/completions`, `POST /graphql`, `WS /graphql`. */
  route: string;
  /** See ObservedRequest.traceCarrier. */
  traceCarrier?: Readonly<Record<string, string | string[] | undefined>> | undefined;
}

export class RequestLog implements ObservedRequest {
  readonly requestId: string;
  readonly transport: Transport;
  route: string;
  readonly traceCarrier: Readonly<Record<string, string | string[] | undefined>> | undefined;
  operationName: string | null = null;
  operationType: string | null = null;
  caller: Caller | null = null;
  /** The HTTP status; null over WebSocket or when the client left before the headers. */
  status: number | null = null;
  /** The first error code the client saw (a GraphQL error's code, a REST error's code). */
  errorCode: string | null = null;
  readonly startedAtHr = performance.now();
  telemetrySlot: unknown = undefined;
  private streamRequested = false;
  private body: unknown = undefined;
  private readonly startedAt: number;
  private readonly records: UsageRecord[] = [];
  /** The root causes already logged (made on the first unexpected error: a WeakSet per request costs every young-generation GC). */
  private loggedErrors: WeakSet<object> | null = null;
  private holds = 0;
  private ended = false;
  private written = false;

  constructor(private readonly options: RequestLogOptions) {
    this.requestId = options.requestId;
    this.transport = options.transport;
    this.route = options.route;
    this.traceCarrier = options.traceCarrier;
    this.startedAt = options.clock.now();
    options.telemetry?.requestStarted(this);
  }

  get usageRecords(): readonly UsageRecord[] {
    return this.records;
  }

  get streaming(): boolean {
    return this.streamRequested || this.operationType === 'subscription';
  }

  /** The services' attempt observer (metrics and traces of each upstream attempt while it runs). */
  readonly attemptStarted = (start: AttemptStart): AttemptObserver | undefined => this.options.telemetry?.attemptStarted?.(this, start);

  /** The services' usage observer; an INTERNAL error that ended the request is logged as unexpected. */
  readonly usage = (record: UsageRecord, error: GatewayError | null): void => {
    this.records.push(record);
    if (error?.code === 'INTERNAL') this.unexpected(error);
  };

  /** Kept (redacted) only when the operator turned `log.bodies` on. */
  setBody(body: unknown): void {
    if (body !== null && typeof body === 'object' && (body as { stream?: unknown }).stream === true) this.streamRequested = true;
    if (this.options.redactBody && body !== undefined) this.body = this.options.redactBody(body);
  }

  /** Keeps the line open until the returned release is called (idempotent). */
  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.flush();
    };
  }

  /** The client's first error code wins: later ones are consequences. */
  failed(code: string | null | undefined): void {
    if (code) this.errorCode ??= code;
  }

  /** The transport is done; the line is written now, or when the last hold is released. */
  end(): void {
    this.ended = true;
    this.flush();
  }

  /**
   * Logs an unexpected error once (by its root cause: the service and the edge may both see it),
   * with its stack, the operation and the request id the client was given.
   */
  unexpected(error: unknown, fields: LogFields = {}): void {
    const root = rootCause(error);
    if (typeof root === 'object' && root !== null) {
      this.loggedErrors ??= new WeakSet();
      if (this.loggedErrors.has(root)) return;
      this.loggedErrors.add(root);
    }
    this.failed('INTERNAL');
    const where = this.operationType ? `${this.operationType} ${this.operationName ?? '(anonymous)'}` : this.route;
    this.options.logger.error(
      { kind: 'unexpected_error', requestId: this.requestId, route: this.route, ...this.operationFields(), ...fields, err: root },
      `unexpected error in ${where}`,
    );
  }

  private operationFields(): LogFields {
    return this.operationType ? { operationType: this.operationType, operationName: this.operationName } : {};
  }

  private flush(): void {
    if (!this.ended || this.holds > 0 || this.written) return;
    this.written = true;
    const latencyMs = this.options.clock.now() - this.startedAt;
    const fields: LogFields = { kind: 'access', requestId: this.requestId, transport: this.transport, route: this.route, ...this.operationFields() };
    if (this.caller) {
      fields.keyId = this.caller.keyId;
      fields.teamId = this.caller.teamId;
    }
    if (this.status !== null) fields.status = this.status;
    const errorCode = this.errorCode ?? this.records.find((record) => record.errorCode !== null)?.errorCode ?? null;
    if (errorCode) fields.errorCode = errorCode;
    fields.latencyMs = latencyMs;
    if (this.records.length === 1) Object.assign(fields, describeRecord(this.records[0]!));
    else if (this.records.length > 1) {
      // Several completions in one operation (createChatCompletions, model comparisons).
      const calls = this.records.map(describeRecord);
      fields.calls = calls;
      fields.tokens = sumTokens(calls.map((call) => call.tokens));
      fields.costMicroUsd = calls.reduce((total, call) => total + call.costMicroUsd, 0);
    }
    if (this.body !== undefined) fields.body = this.body;
    this.options.telemetry?.requestEnded(this, { errorCode, durationMs: performance.now() - this.startedAtHr });
    const what = this.operationType ? `${this.route} ${this.operationType} ${this.operationName ?? '(anonymous)'}` : this.route;
    this.options.logger.info(fields, `${what} ${this.status ?? '-'}${errorCode ? ` ${errorCode}` : ''} ${latencyMs}ms`);
  }
}

interface Tokens {
  input: number;
  output: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
}

function describeRecord(record: UsageRecord) {
  const { usage } = record;
  let fallbacks = 0;
  for (let i = 1; i < record.attempts.length; i++) {
    if (record.attempts[i]!.deploymentId !== record.attempts[i - 1]!.deploymentId) fallbacks += 1;
  }
  return {
    generationId: record.id,
    model: record.requestedModel,
    servedModel: record.model,
    provider: record.providerId,
    upstreamModel: record.upstreamModel,
    outcome: record.status,
    streamed: record.streamed,
    timeToFirstTokenMs: record.timeToFirstTokenMs,
    tokens: {
      input: usage.inputTokens,
      output: usage.outputTokens,
      cached: usage.cachedInputTokens,
      cacheWrite: usage.cacheWriteTokens,
      reasoning: usage.reasoningTokens,
    } satisfies Tokens,
    // Micro-USD; a number so that log queries can sum it (exact below 2^53 micro-USD, $9bn).
    costMicroUsd: Number(record.cost),
    attempts: record.attempts.length,
    // Attempts that moved to another deployment (another provider or a fallback model).
    fallbacks,
  };
}

function sumTokens(all: Tokens[]): Tokens {
  const total: Tokens = { input: 0, output: 0, cached: 0, cacheWrite: 0, reasoning: 0 };
  for (const tokens of all) {
    for (const key of Object.keys(total) as Array<keyof Tokens>) total[key] += tokens[key];
  }
  return total;
}

/** An INTERNAL GatewayError wraps what was thrown; that is what has the useful stack. */
function rootCause(error: unknown): unknown {
  return error instanceof GatewayError && error.code === 'INTERNAL' && error.cause !== undefined ? error.cause : error;
}
