// Chat Completions errors -> typed GatewayErrors. OpenAI's body is
// `{ "error": { "message", "type", "param", "code" } }` (OpenAI API reference, "Error codes");
// compatible servers vary it: `{ "message" }` (Mistral, vLLM), `{ "error": "text" }`, `{ "detail" }`
// (FastAPI servers), a one-element array (Gemini), a numeric `code` (OpenRouter).
import {
  ContentFilteredError,
  ContextLengthExceededError,
  ModelNotFoundError,
  OverloadedError,
  RateLimitedError,
  UpstreamError,
  errorFromUpstreamStatus,
  parseRetryAfter,
  type GatewayError,
} from '../../core/errors.ts';
import { isJsonObject, parseJson } from '../shared/parse-json-object.ts';
import { transportError } from '../shared/transport-error.ts';

interface ParsedError {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  /** A numeric code in the 100-599 range, as OpenRouter reports the HTTP status of in-stream errors. */
  status: number | undefined;
}

/** Maps a non-2xx response to a typed error, keeping the provider's message. */
export function openAIErrorFromResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  bodyText: string,
  provider: string,
): GatewayError {
  const parsed = parseErrorBody(parseJson(bodyText));
  const message = parsed.message ?? fallbackMessage(bodyText, status);
  const details = {
    provider,
    upstreamCode: parsed.code ?? parsed.type,
    retryAfterMs: parseRetryAfter(headers),
  };
  return refineByKind(parsed, message, { ...details, upstreamStatus: status }) ?? errorFromUpstreamStatus(status, message, details);
}

/** Maps an `error` object received inside a 200 stream or body (no HTTP status to go by). */
export function openAIErrorFromBody(error: unknown, provider: string): GatewayError {
  const parsed = parseErrorBody({ error });
  const message = parsed.message ?? 'The upstream reported an error';
  const details = { provider, upstreamCode: parsed.code ?? parsed.type };
  const refined = refineByKind(parsed, message, details);
  if (refined !== undefined) return refined;
  if (parsed.status !== undefined) return errorFromUpstreamStatus(parsed.status, message, details);
  if (parsed.type === 'rate_limit_exceeded' || parsed.code === 'rate_limit_exceeded') return new RateLimitedError(message, details);
  if (parsed.type === 'overloaded_error' || parsed.code === 'overloaded') return new OverloadedError(message, details);
  return new UpstreamError(message, details);
}

/** Errors known by their type or code whatever the status. */
function refineByKind(
  parsed: ParsedError,
  message: string,
  details: { provider: string; upstreamCode: string | undefined; upstreamStatus?: number; retryAfterMs?: number },
): GatewayError | undefined {
  const kinds = [parsed.code, parsed.type];
  if (kinds.includes('context_length_exceeded') || message.toLowerCase().includes('maximum context length')) {
    return new ContextLengthExceededError(message, details);
  }
  // Azure reports filtered prompts as code `content_filter`; OpenAI images as `content_policy_violation`.
  if (kinds.includes('content_filter') || kinds.includes('content_policy_violation')) {
    return new ContentFilteredError(message, details);
  }
  // Some servers answer an unknown model with 400 rather than 404.
  if (kinds.includes('model_not_found')) return new ModelNotFoundError(message, details);
  return undefined;
}

function parseErrorBody(body: unknown): ParsedError {
  const root = Array.isArray(body) ? body[0] : body;
  if (!isJsonObject(root)) return { message: undefined, type: undefined, code: undefined, status: undefined };
  const error = root.error;
  if (typeof error === 'string') return { message: error, type: undefined, code: undefined, status: undefined };
  const source = isJsonObject(error) ? error : root;
  const code = source.code;
  return {
    message: text(source.message) ?? text(root.detail),
    type: text(source.type),
    code: typeof code === 'number' ? String(code) : text(code),
    status: typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined,
  };
}

function fallbackMessage(bodyText: string, status: number): string {
  const trimmed = bodyText.trim();
  if (trimmed.length === 0) return `The upstream answered HTTP ${status}`;
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Network failures and aborts, worded without the upstream's address. */
export function openAITransportError(error: unknown, signal: AbortSignal, provider: string): GatewayError {
  const code = (error as { code?: unknown } | null)?.code;
  return transportError(error, signal, provider, `The request to the upstream failed${typeof code === 'string' ? ` (${code})` : ''}`);
}
