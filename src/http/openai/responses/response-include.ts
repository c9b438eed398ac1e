// The `include` values of the Responses API (request body of POST /v1/responses, query of GET
// /v1/responses/{id} and .../input_items). What this gateway returns anyway is accepted; what it
// cannot produce is refused with a 400 naming the value, never silently ignored.
import { invalidField } from '../../shared/rest-request-error.ts';

/**
 * Accepted, and already in every answer: reasoning items always carry `encrypted_content` when the
 * provider returned signed or redacted reasoning (so stateless turns round-trip without asking),
 * and input images are stored and listed as sent.
 */
const ALWAYS_INCLUDED = new Set(['reasoning.encrypted_content', 'message.input_image.image_url']);

/** Documented by OpenAI but not produced here, each with the reason given to the client. */
const UNSUPPORTED: Record<string, string> = {
  'message.output_text.logprobs': 'log probabilities are not returned by this gateway',
  'web_search_call.action.sources': 'built-in tools (web_search) are not supported by this gateway',
  'web_search_call.results': 'built-in tools (web_search) are not supported by this gateway',
  'code_interpreter_call.outputs': 'built-in tools (code_interpreter) are not supported by this gateway',
  'computer_call_output.output.image_url': 'built-in tools (computer_use) are not supported by this gateway',
  'file_search_call.results': 'built-in tools (file_search) are not supported by this gateway',
};

/** Throws a 400 for the first value this gateway cannot honour. */
export function checkInclude(values: readonly string[] | null | undefined, param = 'include'): void {
  for (const value of values ?? []) {
    if (ALWAYS_INCLUDED.has(value)) continue;
    const reason = UNSUPPORTED[value];
    throw invalidField(param, reason !== undefined ? `"${value}" is not supported: ${reason}` : `"${value}" is not a known include value`);
  }
}

/** `include` from a query string, as the official SDKs send it (`include[]=a&include[]=b`) or `include=a`. */
export function includeFromQuery(query: URLSearchParams): string[] {
  return [...query.getAll('include[]'), ...query.getAll('include')];
}
