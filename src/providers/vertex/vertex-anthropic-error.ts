// Errors from Claude on Vertex AI come in two shapes: the model's own Anthropic error body
// ({"type":"error","error":{"type","message"}}, e.g. invalid_request_error, overloaded_error), or,
// when Vertex's front end refuses the call (authentication, permission, unknown model, quota), a
// google.rpc.Status body ({"error":{"code","message","status","details"}}), possibly inside an array.
import type { GatewayError } from '../../core/errors.ts';
import { anthropicError, parseAnthropicErrorBody } from '../anthropic/anthropic-error.ts';
import { geminiError } from '../gemini/gemini-error.ts';
import type { UpstreamErrorInput } from '../shared/send-json-request.ts';

export function vertexAnthropicError(input: UpstreamErrorInput): GatewayError {
  const anthropicBody = parseAnthropicErrorBody(input.body);
  if (!Array.isArray(anthropicBody) && typeof anthropicBody?.error?.type === 'string') {
    return anthropicError({ providerId: input.providerId, status: input.status, body: anthropicBody, rawText: input.body, headers: input.headers });
  }
  // geminiError reads google.rpc.Status, whichever Google API sent it (RetryInfo included).
  return geminiError(input);
}
