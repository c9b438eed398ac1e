// Core errors -> Anthropic's `{ type: "error", error: { type, message } }` with the statuses of
// Anthropic's "Errors" doc: overloaded is 529 and a timeout 504 there.
import type { ErrorCode, GatewayError } from '../../core/errors.ts';
import { httpStatusFor, publicMessage } from '../shared/http-status.ts';
import type { ErrorFormat } from '../shared/write-json.ts';

const typeByCode: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'authentication_error',
  FORBIDDEN: 'permission_error',
  NOT_FOUND: 'not_found_error',
  MODEL_NOT_FOUND: 'not_found_error',
  INVALID_REQUEST: 'invalid_request_error',
  DECLARED_IN_CONFIG: 'invalid_request_error',
  CONTEXT_LENGTH_EXCEEDED: 'invalid_request_error',
  CONTENT_FILTERED: 'invalid_request_error',
  RATE_LIMITED: 'rate_limit_error',
  BUDGET_EXCEEDED: 'billing_error',
  BUDGET_UNAVAILABLE: 'api_error',
  OVERLOADED: 'overloaded_error',
  TIMEOUT: 'timeout_error',
  UPSTREAM_AUTHENTICATION: 'api_error',
  UPSTREAM_PERMISSION: 'api_error',
  UPSTREAM_ERROR: 'api_error',
  UPSTREAM_PROTOCOL_ERROR: 'api_error',
  CANCELLED: 'api_error',
  SERVER_SHUTDOWN: 'api_error',
  INTERNAL: 'api_error',
};

const statusOverrides: Partial<Record<ErrorCode, number>> = { OVERLOADED: 529, TIMEOUT: 504 };

export function anthropicErrorObject(error: GatewayError, status: number) {
  return { type: status === 413 ? 'request_too_large' : typeByCode[error.code], message: publicMessage(error) };
}

export const anthropicErrorFormat: ErrorFormat = (error) => {
  const status = statusOverrides[error.code] ?? httpStatusFor(error);
  return { status, body: { type: 'error', error: anthropicErrorObject(error, status) } };
};
