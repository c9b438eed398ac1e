// Bedrock errors -> typed errors, following the Errors sections of the Converse and ConverseStream
// API references and the Bedrock troubleshooting guide. An HTTP error names its type in the
// x-amzn-errortype header ("ValidationException:http://internal.amazon.com/coral/...") with a
// `{"message"}` body; inside a stream, an exception event names it in :exception-type in
// lowerCamelCase ("throttlingException"). Both are mapped by type first, then by status.
import {
  ContextLengthExceededError,
  errorFromUpstreamStatus,
  GatewayError,
  ModelNotFoundError,
  OverloadedError,
  parseRetryAfter,
  RateLimitedError,
  TimeoutError,
  UpstreamAuthenticationError,
  UpstreamError,
  UpstreamPermissionError,
} from '../../core/errors.ts';
import type { BedrockWireErrorBody } from './bedrock-wire.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { transportError } from '../shared/transport-error.ts';
import type { UpstreamErrorInput } from '../shared/send-json-request.ts';

type ErrorDetails = ConstructorParameters<typeof GatewayError>[2];

/** Error types and the status each has, from the API reference; used for in-stream exceptions. */
const statusByErrorType: Record<string, number> = {
  AccessDeniedException: 403,
  InternalServerException: 500,
  ModelErrorException: 424,
  ModelNotReadyException: 429,
  ModelStreamErrorException: 424,
  ModelTimeoutException: 408,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 400,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  ValidationException: 400,
};

const byErrorType: Record<string, (message: string, details: ErrorDetails) => GatewayError> = {
  ThrottlingException: (m, d) => new RateLimitedError(m, d),
  ServiceQuotaExceededException: (m, d) => new RateLimitedError(m, d),
  // The model is being loaded or the service is overloaded: worth retrying elsewhere or later.
  ModelNotReadyException: (m, d) => new OverloadedError(m, d),
  ServiceUnavailableException: (m, d) => new OverloadedError(m, d),
  ModelTimeoutException: (m, d) => new TimeoutError(m, d),
  AccessDeniedException: (m, d) => new UpstreamPermissionError(m, d),
  ResourceNotFoundException: (m, d) => new ModelNotFoundError(m, d),
  // AWS's authentication front end answers bad credentials with 403 and these types.
  UnrecognizedClientException: (m, d) => new UpstreamAuthenticationError(m, d),
  InvalidSignatureException: (m, d) => new UpstreamAuthenticationError(m, d),
  IncompleteSignatureException: (m, d) => new UpstreamAuthenticationError(m, d),
  MissingAuthenticationTokenException: (m, d) => new UpstreamAuthenticationError(m, d),
  ExpiredTokenException: (m, d) => new UpstreamAuthenticationError(m, d),
  InternalServerException: (m, d) => new UpstreamError(m, d),
  ModelErrorException: (m, d) => new UpstreamError(m, d),
  ModelStreamErrorException: (m, d) => new UpstreamError(m, d),
};

/**
 * Over-long input is a ValidationException whose message is the only sign: "Input is too long for
 * requested model.", or the model's own wording passed through ("prompt is too long: ...",
 * "input length and `max_tokens` exceed context limit").
 */
const contextLengthMessage = /too long|exceeds? (the )?context|context (window|length|limit)/i;

export function bedrockError(input: UpstreamErrorInput): GatewayError {
  const body = parseBody(input.body);
  const header = input.headers['x-amzn-errortype'];
  const type = normaliseErrorType((Array.isArray(header) ? header[0] : header) ?? body?.__type);
  const message = body?.message ?? body?.Message ?? (input.body.trim().slice(0, 500) || `Bedrock returned HTTP ${input.status}`);
  const retryAfterMs = parseRetryAfter(input.headers);
  return typedError(type, input.status, message, {
    provider: input.providerId,
    upstreamStatus: input.status,
    ...(type === undefined ? {} : { upstreamCode: type }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** An exception event inside a ConverseStream response (`:message-type: exception`). */
export function bedrockStreamException(exceptionType: string, message: string | undefined, providerId: string): GatewayError {
  const type = normaliseErrorType(exceptionType) ?? exceptionType;
  const status = statusByErrorType[type] ?? 500;
  return typedError(type, status, message ?? `Bedrock sent ${exceptionType}`, { provider: providerId, upstreamStatus: status, upstreamCode: type });
}

function typedError(type: string | undefined, status: number, message: string, details: ErrorDetails): GatewayError {
  if (type === 'ValidationException' && contextLengthMessage.test(message)) return new ContextLengthExceededError(message, details);
  const make = type === undefined ? undefined : byErrorType[type];
  return make !== undefined ? make(message, details) : errorFromUpstreamStatus(status, message, details);
}

/** "ValidationException:http://..." and "com.amazon.coral#ValidationException" -> "ValidationException"; lowerCamel -> UpperCamel. */
function normaliseErrorType(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const name = raw.split(':')[0]!.split('#').at(-1)!.trim();
  return name === '' ? undefined : name[0]!.toUpperCase() + name.slice(1);
}

function parseBody(body: string): BedrockWireErrorBody | undefined {
  return parseJsonObject(body) as BedrockWireErrorBody | undefined;
}

/** A request that got no HTTP response; the network detail stays in `cause`. */
export function bedrockTransportError(error: unknown, signal: AbortSignal, providerId: string): GatewayError {
  return transportError(error, signal, providerId, 'Amazon Bedrock could not be reached');
}
