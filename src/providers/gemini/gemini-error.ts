// Gemini error bodies (google.rpc.Status: {error:{code,message,status,details}}) -> typed errors,
// following the Gemini API troubleshooting guide (https://ai.google.dev/gemini-api/docs/troubleshooting)
// and google.rpc.ErrorInfo / RetryInfo for the details.
import {
  ContextLengthExceededError,
  errorFromUpstreamStatus,
  type GatewayError,
  parseRetryAfter,
  UpstreamAuthenticationError,
} from '../../core/errors.ts';
import type { GeminiErrorBody } from './gemini-wire-types.ts';
import type { UpstreamErrorInput } from '../shared/send-json-request.ts';

// Gemini reports an over-long prompt as a plain 400 INVALID_ARGUMENT; its message is the only
// signal: "The input token count (N) exceeds the maximum number of tokens allowed (M)."
const contextLengthMessage = /input token count.*exceeds the maximum number of tokens/i;

export function geminiError(input: UpstreamErrorInput): GatewayError {
  const error = parseErrorBody(input.body);
  const message = error?.message ?? (input.body.trim() || `HTTP ${input.status}`);
  const reason = error?.details?.find((detail) => detail.reason !== undefined)?.reason;
  const upstreamCode = reason ?? error?.status;
  const retryAfterMs = parseRetryAfter(input.headers) ?? retryDelayMs(error?.details);
  const details = {
    provider: input.providerId,
    upstreamStatus: input.status,
    ...(upstreamCode === undefined ? {} : { upstreamCode }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  // An invalid key is a 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID.
  if (reason === 'API_KEY_INVALID' || error?.status === 'UNAUTHENTICATED') {
    return new UpstreamAuthenticationError(message, details);
  }
  if (input.status === 400 && contextLengthMessage.test(message)) return new ContextLengthExceededError(message, details);
  return errorFromUpstreamStatus(input.status, message, details);
}

/** Reads an error object met inside a stream, where there is no HTTP status of its own. */
export function geminiStreamError(error: NonNullable<GeminiErrorBody['error']>, providerId: string): GatewayError {
  return geminiError({ status: error.code ?? 500, headers: {}, body: JSON.stringify({ error }), providerId });
}

function parseErrorBody(body: string): GeminiErrorBody['error'] | undefined {
  try {
    const parsed = JSON.parse(body) as GeminiErrorBody | GeminiErrorBody[];
    // streamGenerateContent without alt=sse answers with a JSON array; accept that shape too.
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    return typeof first?.error === 'object' && first.error !== null ? first.error : undefined;
  } catch {
    return undefined;
  }
}

/** RetryInfo.retryDelay is a protobuf Duration in JSON form: "7s", "0.5s". */
function retryDelayMs(details: NonNullable<GeminiErrorBody['error']>['details']): number | undefined {
  const delay = details?.find((detail) => detail['@type']?.endsWith('google.rpc.RetryInfo'))?.retryDelay;
  const match = delay === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(delay.trim());
  return match ? Math.ceil(Number(match[1]) * 1000) : undefined;
}
