// Prompt and completion content on attempt spans, only when the operator opted in
// (`tracing.captureContent`, OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). The shape is
// the GenAI semantic conventions' (gen_ai.system_instructions, gen_ai.input.messages,
// gen_ai.output.messages: JSON arrays of messages made of typed parts). Everything passes through
// the redactor first: credentials a prompt or an answer happens to hold are replaced, long strings
// (images as data URLs, documents) are cut.
import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS } from '@opentelemetry/semantic-conventions/incubating';
import { finishReasonName } from '../core/requests/attempt.ts';
import type { AttemptAnswer } from '../core/telemetry/attempt-telemetry.ts';
import type { ChatRequest, ContentPart, Message, ToolCall } from '../core/types.ts';

/** Takes credentials out of a value about to leave the process (redact-json.ts). */
export type ContentRedactor = (value: unknown) => unknown;

type Part =
  | { type: 'text'; content: string }
  | { type: 'reasoning'; content: string }
  | { type: 'uri'; modality: 'image'; uri: string }
  | { type: 'blob'; modality: 'image'; mime_type?: string; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string; response: string };

/** Input attributes of an attempt: what its deployment was sent (chat messages, embedding inputs). */
export function inputContentAttributes(upstreamRequest: unknown, redact: ContentRedactor): Attributes {
  if (isChatRequest(upstreamRequest)) {
    const system = upstreamRequest.messages.filter((message) => message.role === 'system').map((message) => ({ type: 'text', content: message.content }));
    const messages = upstreamRequest.messages.filter((message) => message.role !== 'system').map(inputMessage);
    const attributes: Attributes = { [ATTR_GEN_AI_INPUT_MESSAGES]: json(messages, redact) };
    if (system.length > 0) attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = json(system, redact);
    return attributes;
  }
  if (isEmbeddingRequest(upstreamRequest)) {
    return { [ATTR_GEN_AI_INPUT_MESSAGES]: json([{ role: 'user', parts: upstreamRequest.input.map((text) => ({ type: 'text', content: text })) }], redact) };
  }
  return {};
}

/** Output attributes of an attempt: the assistant message it produced. */
export function outputContentAttributes(answer: AttemptAnswer, redact: ContentRedactor): Attributes {
  const output = answer.output;
  if (!output) return {};
  const parts: Part[] = [];
  if (output.reasoning) parts.push({ type: 'reasoning', content: output.reasoning });
  if (output.text) parts.push({ type: 'text', content: output.text });
  for (const call of output.toolCalls) parts.push(toolCallPart(call));
  const message = { role: 'assistant', parts, finish_reason: finishReasonName(answer.finishReason) ?? 'error' };
  return { [ATTR_GEN_AI_OUTPUT_MESSAGES]: json([message], redact) };
}

function inputMessage(message: Exclude<Message, { role: 'system' }>): { role: string; parts: Part[] } {
  switch (message.role) {
    case 'user':
      return { role: 'user', parts: message.content.map(contentPart) };
    case 'assistant': {
      const parts: Part[] = [];
      for (const block of message.reasoning ?? []) if (block.type === 'thinking') parts.push({ type: 'reasoning', content: block.text });
      if (message.content) parts.push({ type: 'text', content: message.content });
      for (const call of message.toolCalls ?? []) parts.push(toolCallPart(call));
      return { role: 'assistant', parts };
    }
    case 'tool':
      return { role: 'tool', parts: [{ type: 'tool_call_response', id: message.toolCallId, response: message.content }] };
  }
}

function contentPart(part: ContentPart): Part {
  if (part.type === 'text') return { type: 'text', content: part.text };
  if (part.url !== undefined) return { type: 'uri', modality: 'image', uri: part.url };
  return { type: 'blob', modality: 'image', ...(part.mediaType ? { mime_type: part.mediaType } : {}), content: part.data ?? '' };
}

function toolCallPart(call: ToolCall): Part {
  let parsed: unknown = call.arguments;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    // Kept as the model wrote it.
  }
  return { type: 'tool_call', id: call.id, name: call.name, arguments: parsed };
}

function json(value: unknown, redact: ContentRedactor): string {
  return JSON.stringify(redact(value));
}

function isChatRequest(value: unknown): value is ChatRequest {
  return typeof value === 'object' && value !== null && Array.isArray((value as { messages?: unknown }).messages);
}

function isEmbeddingRequest(value: unknown): value is { input: string[] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as { input?: unknown }).input);
}
