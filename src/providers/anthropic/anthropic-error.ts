import {
  ContextLengthExceededError,
  GatewayError,
  errorFromUpstreamStatus,
  OverloadedError,
  parseRetryAfter,
  UpstreamPermissionError,
} from '../../core/errors.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { transportError } from '../shared/transport-error.ts';
import type { AnthropicWireErrorBody } from './anthropic-wire.ts';

// Anthropic's "Errors" doc: every error body is {"type":"error","error":{"type","message"}}, and
// each error type has one HTTP status. The same body arrives as an `error` event when a stream
// fails after its 200 (typically overloaded_error), so an event is mapped through the status
// the doc gives its type.
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Invalid requests over the context window say so only in the message. */
const promptTooLong = /prompt is too long/i;

interface AnthropicErrorInput {
  providerId: string;
  /** The HTTP status; absent for an `error` event inside a stream. */
  status?: number;
  body: AnthropicWireErrorBody | undefined;
  /** Raw body text, used as the message when the body is not Anthropic's error JSON. */
  rawText?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export function anthropicError(input: AnthropicErrorInput): GatewayError {
  const type = input.body?.error?.type;
  const message =
    input.body?.error?.message ??
    (input.rawText !== undefined && input.rawText.trim() !== '' ? input.rawText.trim().slice(0, 500) : undefined) ??
    `Anthropic returned ${type ?? `HTTP ${input.status ?? 'error'}`}`;
  const status = input.status ?? (type === undefined ? undefined : statusByErrorType[type]) ?? 500;
  const details = {
    provider: input.providerId,
    upstreamStatus: status,
    upstreamCode: type,
    retryAfterMs: input.headers === undefined ? undefined : parseRetryAfter(input.headers),
  };
  if (type === 'overloaded_error') return new OverloadedError(message, details);
  if (type === 'invalid_request_error' && promptTooLong.test(message)) return new ContextLengthExceededError(message, details);
  // The gateway's own Anthropic account cannot pay: not something the caller can fix.
  if (type === 'billing_error') return new UpstreamPermissionError(message, details);
  return errorFromUpstreamStatus(status, message, details);
}

/** Parses an error response body that may or may not be Anthropic's JSON. */
export function parseAnthropicErrorBody(text: string): AnthropicWireErrorBody | undefined {
  return parseJsonObject(text) as AnthropicWireErrorBody | undefined;
}

/**
 * A request that got no HTTP response: cancelled by the caller, or the upstream unreachable.
 * The network detail stays in `cause`, out of the message callers see.
 */
export function anthropicTransportError(error: unknown, signal: AbortSignal, providerId: string): GatewayError {
  return transportError(error, signal, providerId, 'The Anthropic API could not be reached');
}
