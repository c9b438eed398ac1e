// Core error codes -> HTTP statuses, shared by the OpenAI and Anthropic edges (each may refine a
// few to its own API's convention).
import { GatewayError, type ErrorCode } from '../../core/errors.ts';
import { RestRequestError } from './rest-request-error.ts';

const statusByCode: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  INVALID_REQUEST: 400,
  // Admin-only (GraphQL); the change conflicts with the instance's config file.
  DECLARED_IN_CONFIG: 409,
  // Both OpenAI and Anthropic answer an over-long prompt with 400, and SDKs expect that class.
  CONTEXT_LENGTH_EXCEEDED: 400,
  CONTENT_FILTERED: 400,
  RATE_LIMITED: 429,
  // 402 as OpenRouter (insufficient credits) and Anthropic (billing_error) answer it: SDKs do not
  // retry it, whereas a 429 would be retried against a budget that stays exhausted.
  BUDGET_EXCEEDED: 402,
  // Temporary, and the gateway's fault rather than the client's: 503 with Retry-After, which SDKs retry.
  BUDGET_UNAVAILABLE: 503,
  OVERLOADED: 503,
  TIMEOUT: 408,
  // The upstream rejected the *gateway's* provider key. That is the operator's misconfiguration,
  // not the client's: a 401 would tell the client its own key is wrong (SDKs raise
  // AuthenticationError), so it is a 502 Bad Gateway, and the upstream's message, which may quote
  // part of the key, is replaced.
  UPSTREAM_AUTHENTICATION: 502,
  UPSTREAM_PERMISSION: 502,
  UPSTREAM_ERROR: 502,
  UPSTREAM_PROTOCOL_ERROR: 502,
  // The client went away; nobody reads this status (nginx's "client closed request").
  CANCELLED: 499,
  // The gateway stopped before the request finished: retry it (on another instance).
  SERVER_SHUTDOWN: 503,
  INTERNAL: 500,
};

export function httpStatusFor(error: GatewayError): number {
  if (error instanceof RestRequestError) return error.status;
  return statusByCode[error.code];
}

/** The message a client may see: internals and upstream credentials never leak. */
export function publicMessage(error: GatewayError): string {
  if (error.code === 'UPSTREAM_AUTHENTICATION') {
    const provider = error.provider === undefined ? 'the upstream provider' : `provider "${error.provider}"`;
    return `The gateway's credentials for ${provider} were rejected; the gateway's operator must fix its provider configuration`;
  }
  if (error.code === 'INTERNAL') return error instanceof LoggedInternalError ? error.message : 'Internal error';
  return error.message;
}

/** An unexpected error as a client sees it: the request id under which the gateway logged the details. */
export class LoggedInternalError extends GatewayError {
  constructor(readonly requestId: string) {
    super('INTERNAL', `Internal error (request id ${requestId}); the gateway logged the details`);
  }
}

/** Headers that tell SDKs whether and when to retry. */
export function retryHeaders(error: GatewayError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(error.retryAfterMs)));
  }
  // SDKs retry every 5xx; retrying a misconfigured provider key only repeats the failure.
  if (error.code === 'UPSTREAM_AUTHENTICATION' || error.code === 'UPSTREAM_PERMISSION') headers['x-should-retry'] = 'false';
  return headers;
}
