// Cohere error responses -> typed errors, following the Chat API reference's error list (400,
// 401, 402, 404, 422, 429, 498 invalid token, 499 client closed, 500, 501, 503, 504) whose bodies
// are `{"message"}` or `{"id","message"}`.
import {
  ContextLengthExceededError,
  errorFromUpstreamStatus,
  GatewayError,
  parseRetryAfter,
  UpstreamAuthenticationError,
} from '../../core/errors.ts';
import type { CohereWireErrorBody } from './cohere-wire.ts';
import { transportError } from '../shared/transport-error.ts';
import type { UpstreamErrorInput } from '../shared/send-json-request.ts';

// An over-long prompt is a plain 400 whose message is the only sign:
// "too many tokens: total number of tokens in the prompt cannot exceed 128000 - received ...".
const tooManyTokens = /too many tokens/i;

export function cohereError(input: UpstreamErrorInput): GatewayError {
  const message = parseMessage(input.body) ?? (input.body.trim().slice(0, 500) || `Cohere returned HTTP ${input.status}`);
  const retryAfterMs = parseRetryAfter(input.headers);
  const details = {
    provider: input.providerId,
    upstreamStatus: input.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  // 498 is Cohere's "invalid token" status.
  if (input.status === 498) return new UpstreamAuthenticationError(message, details);
  if ((input.status === 400 || input.status === 422) && tooManyTokens.test(message)) return new ContextLengthExceededError(message, details);
  return errorFromUpstreamStatus(input.status, message, details);
}

function parseMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as CohereWireErrorBody;
    return typeof parsed?.message === 'string' && parsed.message !== '' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

/** A request that got no HTTP response; the network detail stays in `cause`. */
export function cohereTransportError(error: unknown, signal: AbortSignal, providerId: string): GatewayError {
  return transportError(error, signal, providerId, 'The Cohere API could not be reached');
}
