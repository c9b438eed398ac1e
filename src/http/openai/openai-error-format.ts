// Core errors -> OpenAI's error body `{ error: { message, type, param, code } }` (OpenAI API
// reference, "Error codes"). SDKs choose their error class by status alone.
import type { ErrorCode, GatewayError } from '../../core/errors.ts';
import { httpStatusFor, publicMessage } from '../shared/http-status.ts';
import { RestRequestError } from '../shared/rest-request-error.ts';
import type { ErrorFormat } from '../shared/write-json.ts';

const typeByCode: Record<ErrorCode, string> = {
  UNAUTHENTICATED: 'authentication_error',
  FORBIDDEN: 'permission_error',
  NOT_FOUND: 'invalid_request_error',
  MODEL_NOT_FOUND: 'invalid_request_error',
  INVALID_REQUEST: 'invalid_request_error',
  DECLARED_IN_CONFIG: 'invalid_request_error',
  CONTEXT_LENGTH_EXCEEDED: 'invalid_request_error',
  CONTENT_FILTERED: 'invalid_request_error',
  RATE_LIMITED: 'rate_limit_error',
  BUDGET_EXCEEDED: 'insufficient_quota',
  BUDGET_UNAVAILABLE: 'server_error',
  OVERLOADED: 'server_error',
  TIMEOUT: 'timeout_error',
  UPSTREAM_AUTHENTICATION: 'upstream_error',
  UPSTREAM_PERMISSION: 'upstream_error',
  UPSTREAM_ERROR: 'upstream_error',
  UPSTREAM_PROTOCOL_ERROR: 'upstream_error',
  CANCELLED: 'cancelled',
  SERVER_SHUTDOWN: 'server_error',
  INTERNAL: 'server_error',
};

/** The `error` object, as both a response body and an in-stream event carry it. */
export function openAIErrorObject(error: GatewayError) {
  const isRestError = error instanceof RestRequestError;
  return {
    message: publicMessage(error),
    type: typeByCode[error.code],
    param: isRestError ? error.param : null,
    code: isRestError ? error.restCode : openAICode(error.code),
  };
}

export const openAIErrorFormat: ErrorFormat = (error) => ({
  status: httpStatusFor(error),
  body: { error: openAIErrorObject(error) },
});

/** OpenAI's own codes where it has one (`context_length_exceeded`, `model_not_found`). */
function openAICode(code: ErrorCode): string {
  if (code === 'RATE_LIMITED') return 'rate_limit_exceeded';
  return code.toLowerCase();
}
