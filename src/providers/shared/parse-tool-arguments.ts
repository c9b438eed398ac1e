// Protocols that send a tool call's arguments as a JSON value (Anthropic `tool_use.input`, Bedrock
// `toolUse.input`, Gemini `functionCall.args`) parse the JSON text the canonical call holds.
import { InvalidRequestError } from '../../core/errors.ts';
import type { ToolCall } from '../../core/types.ts';

/** The arguments as a JSON value; empty text is `{}` (a call without arguments). */
export function parseToolArguments(call: ToolCall): unknown {
  if (call.arguments.trim() === '') return {};
  try {
    return JSON.parse(call.arguments);
  } catch {
    throw new InvalidRequestError(`The arguments of tool call "${call.id}" are not valid JSON`);
  }
}
