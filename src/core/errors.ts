// Typed errors. Adapters and services throw these; each edge (GraphQL, REST) maps them once.
import type { RateLimitStatus } from './metering/rate-limit-status.ts';

/** Every error code, in the order the GraphQL enum lists them. */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'INVALID_REQUEST',
  'DECLARED_IN_CONFIG',
  'CONTEXT_LENGTH_EXCEEDED',
  'CONTENT_FILTERED',
  'RATE_LIMITED',
  'BUDGET_EXCEEDED',
  'BUDGET_UNAVAILABLE',
  'OVERLOADED',
  'TIMEOUT',
  'UPSTREAM_AUTHENTICATION',
  'UPSTREAM_PERMISSION',
  'UPSTREAM_ERROR',
  'UPSTREAM_PROTOCOL_ERROR',
  'CANCELLED',
  'SERVER_SHUTDOWN',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  /** The provider id the error came from, when it came from one. */
  provider?: string;
  /** The upstream HTTP status, when there was one. */
  upstreamStatus?: number;
  /** The provider's own error type/code string, kept for diagnosis. */
  upstreamCode?: string;
  retryAfterMs?: number;
  /** A request refused at admission after its rate-limit count was released: the limits as they now stand. */
  rateLimits?: RateLimitStatus[];
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly provider: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly rateLimits: RateLimitStatus[] | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.provider = details.provider;
    this.upstreamStatus = details.upstreamStatus;
    this.upstreamCode = details.upstreamCode;
    this.retryAfterMs = details.retryAfterMs;
    this.rateLimits = details.rateLimits;
  }
}

export class UnauthenticatedError extends GatewayError {
  constructor(message = 'A valid API key is required', details?: ErrorDetails) {
    super('UNAUTHENTICATED', message, details);
  }
}
export class ForbiddenError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('FORBIDDEN', message, details);
  }
}
export class NotFoundError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('NOT_FOUND', message, details);
  }
}
export class ModelNotFoundError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('MODEL_NOT_FOUND', message, details);
  }
}
export class InvalidRequestError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('INVALID_REQUEST', message, details);
  }
}
/** An admin change aimed at a deployment the instance's config file declares (the file owns it). */
export class DeclaredInConfigError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('DECLARED_IN_CONFIG', message, details);
  }
}
export class ContextLengthExceededError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('CONTEXT_LENGTH_EXCEEDED', message, details);
  }
}
export class ContentFilteredError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('CONTENT_FILTERED', message, details);
  }
}
export class RateLimitedError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('RATE_LIMITED', message, details);
  }
}
export class BudgetExceededError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('BUDGET_EXCEEDED', message, details);
  }
}
/**
 * A budget may apply but could not be checked: the database is unreachable and the operator chose
 * to refuse (with a Retry-After), or the check failed otherwise (always refused).
 */
export class BudgetUnavailableError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('BUDGET_UNAVAILABLE', message, details);
  }
}
export class OverloadedError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('OVERLOADED', message, details);
  }
}
export class TimeoutError extends GatewayError {
  /** The request's own deadline ran out (routing.timeoutMs), not the deployment's limit: says nothing about the deployment, and ends the request. */
  readonly requestDeadline: boolean;

  constructor(message: string, details?: ErrorDetails & { requestDeadline?: boolean }) {
    super('TIMEOUT', message, details);
    this.requestDeadline = details?.requestDeadline ?? false;
  }
}
export class UpstreamAuthenticationError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('UPSTREAM_AUTHENTICATION', message, details);
  }
}
export class UpstreamPermissionError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('UPSTREAM_PERMISSION', message, details);
  }
}
export class UpstreamError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('UPSTREAM_ERROR', message, details);
  }
}
export class UpstreamProtocolError extends GatewayError {
  constructor(message: string, details?: ErrorDetails) {
    super('UPSTREAM_PROTOCOL_ERROR', message, details);
  }
}
export class CancelledError extends GatewayError {
  constructor(message = 'The request was cancelled', details?: ErrorDetails) {
    super('CANCELLED', message, details);
  }
}

/** The gateway is shutting down and its grace period ran out before the request finished. */
export class ServerShutdownError extends GatewayError {
  constructor(message = 'The gateway shut down before the request finished; retry it', details?: ErrorDetails) {
    super('SERVER_SHUTDOWN', message, details);
  }
}

/**
 * Why a request's signal aborted: the GatewayError it was aborted with (the gateway shut down, or
 * the key was revoked during a stream), otherwise a cancel by the client.
 */
export function abortError(signal: AbortSignal): GatewayError {
  const reason: unknown = signal.reason;
  // A copy per request: one reason ends every stream of a key (or the whole server), and each
  // request's error carries its own attempts.
  return reason instanceof GatewayError ? new GatewayError(reason.code, reason.message) : new CancelledError();
}

/** The client went away (as opposed to the gateway ending the request for a reason). */
export function abortedByClient(signal: AbortSignal): boolean {
  return signal.aborted && !(signal.reason instanceof GatewayError);
}

/** Wraps anything thrown into a GatewayError without leaking internals in the message. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new CancelledError();
  return new GatewayError('INTERNAL', 'Internal error', { cause: error });
}

/**
 * Maps an upstream HTTP status to a typed error. Adapters call this after parsing the provider's
 * error body, passing the provider's message and refining by the provider's error type.
 */
export function errorFromUpstreamStatus(status: number, message: string, details: ErrorDetails = {}): GatewayError {
  const d = { ...details, upstreamStatus: status };
  if (status === 401) return new UpstreamAuthenticationError(message, d);
  if (status === 403) return new UpstreamPermissionError(message, d);
  if (status === 404) return new ModelNotFoundError(message, d);
  if (status === 408 || status === 504) return new TimeoutError(message, d);
  if (status === 413) return new ContextLengthExceededError(message, d);
  if (status === 429) return new RateLimitedError(message, d);
  if (status === 503 || status === 529) return new OverloadedError(message, d);
  if (status >= 500) return new UpstreamError(message, d);
  if (status >= 400) return new InvalidRequestError(message, d);
  return new UpstreamProtocolError(message, d);
}

/** Parses a Retry-After header (seconds or an HTTP date) or a retry-after-ms header into milliseconds. */
export function parseRetryAfter(
  headers: Record<string, string | string[] | undefined>,
  now: number = Date.now(),
): number | undefined {
  const ms = single(headers['retry-after-ms']);
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = single(headers['retry-after']);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
