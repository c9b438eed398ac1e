// The closed vocabulary of error types that metrics and traces report, grouped by whose fault the
// error is: the caller's (a bad or unauthenticated request), policy (budgets, rate limits, what a
// key may use), the provider's (the upstream failed, was slow, refused or spoke nonsense) or the
// gateway's own. Every error code the edges report maps here in one table; an unknown code falls
// back by its HTTP status.
import type { ErrorCode } from '../errors.ts';
import type { UsageRecord } from '../metering/metering-ports.ts';

export type Fault = 'none' | 'caller' | 'policy' | 'provider' | 'gateway';

export const ERROR_TYPES = {
  none: 'none',
  bad_request: 'caller',
  unauthenticated: 'caller',
  not_found: 'caller',
  context_length_exceeded: 'caller',
  content_filtered: 'caller',
  cancelled: 'caller',
  budget_exceeded: 'policy',
  rate_limited: 'policy',
  forbidden: 'policy',
  upstream_error: 'provider',
  upstream_timeout: 'provider',
  upstream_rate_limited: 'provider',
  upstream_overloaded: 'provider',
  upstream_auth: 'provider',
  upstream_protocol_error: 'provider',
  internal: 'gateway',
  unavailable: 'gateway',
} as const satisfies Record<string, Fault>;

export type ErrorType = keyof typeof ERROR_TYPES;

/** The gateway's error codes (core/errors.ts) and the GraphQL edge's own. */
const BY_CODE: Record<ErrorCode, ErrorType> & Record<string, ErrorType> = {
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  MODEL_NOT_FOUND: 'not_found',
  INVALID_REQUEST: 'bad_request',
  DECLARED_IN_CONFIG: 'bad_request',
  CONTEXT_LENGTH_EXCEEDED: 'context_length_exceeded',
  CONTENT_FILTERED: 'content_filtered',
  // Refined below: the gateway's own limits (policy) or an upstream's 429 (provider).
  RATE_LIMITED: 'rate_limited',
  BUDGET_EXCEEDED: 'budget_exceeded',
  BUDGET_UNAVAILABLE: 'unavailable',
  OVERLOADED: 'upstream_overloaded',
  TIMEOUT: 'upstream_timeout',
  UPSTREAM_AUTHENTICATION: 'upstream_auth',
  UPSTREAM_PERMISSION: 'upstream_auth',
  UPSTREAM_ERROR: 'upstream_error',
  UPSTREAM_PROTOCOL_ERROR: 'upstream_protocol_error',
  CANCELLED: 'cancelled',
  SERVER_SHUTDOWN: 'unavailable',
  INTERNAL: 'internal',
  // GraphQL edge (graphql-security.ts, yoga, the request logging plugin).
  INTERNAL_SERVER_ERROR: 'internal',
  BAD_REQUEST: 'bad_request',
  BAD_USER_INPUT: 'bad_request',
  GRAPHQL_PARSE_FAILED: 'bad_request',
  GRAPHQL_VALIDATION_FAILED: 'bad_request',
  QUERY_TOO_COMPLEX: 'bad_request',
  REQUEST_ENTITY_TOO_LARGE: 'bad_request',
  CSRF_HEADER_REQUIRED: 'bad_request',
  CONFLICT: 'bad_request',
  PERSISTED_QUERY_MISMATCH: 'bad_request',
  PERSISTED_QUERY_NOT_FOUND: 'not_found',
  PERSISTED_QUERY_NOT_IN_LIST: 'forbidden',
  METHOD_NOT_ALLOWED: 'bad_request',
};

/**
 * The error type of a request's outcome. `record` (the usage record that failed, when there is
 * one) tells an upstream's rate limit from the gateway's.
 */
export function errorTypeOf(code: string | null, status: number | null, record?: UsageRecord): ErrorType {
  if (code === null) return status !== null && status >= 400 ? (status >= 500 ? 'internal' : 'bad_request') : 'none';
  const type = BY_CODE[code];
  if (type === 'rate_limited') return upstreamRateLimited(record) ? 'upstream_rate_limited' : 'rate_limited';
  if (type !== undefined) return type;
  return status !== null && status >= 500 ? 'internal' : 'bad_request';
}

function upstreamRateLimited(record: UsageRecord | undefined): boolean {
  const last = record?.attempts[record.attempts.length - 1];
  return last?.errorCode === 'RATE_LIMITED';
}
