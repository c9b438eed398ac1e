// A parsed Chat Completions response -> ChatResult (OpenAI API reference, "The chat completion
// object"): choices[0].message content, tool_calls and reasoning (`reasoning_content` from
// DeepSeek/vLLM or `reasoning` from OpenRouter/Groq), finish_reason and usage.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import { emptyUsage, type ChatResult, type ReasoningBlock, type ToolCall } from '../../core/types.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { openAIContentReasoning, openAIContentText } from './openai-content-text.ts';
import { mapOpenAIUsage, type UsageConvention } from './map-openai-usage.ts';
import { openAIErrorFromBody } from './openai-error.ts';
import type { OpenAIResponseWire, OpenAIToolCallWire } from './openai-wire.ts';

export function mapOpenAIResponse(body: unknown, provider: string, convention: UsageConvention): ChatResult {
  if (typeof body !== 'object' || body === null) throw protocolError('The upstream response is not a JSON object', provider);
  // Some compatible servers answer 200 with an error object.
  if ('error' in body && (body as { error: unknown }).error != null) throw openAIErrorFromBody((body as { error: unknown }).error, provider);
  const response = body as OpenAIResponseWire;
  const choice = response.choices?.[0];
  if (choice === undefined) throw protocolError('The upstream response has no choices', provider);
  const message = choice.message ?? {};
  const reasoning = message.reasoning_content || message.reasoning || openAIContentReasoning(message.content);
  const reasoningBlocks: ReasoningBlock[] = reasoning === '' ? [] : [{ type: 'thinking', text: reasoning }];
  return {
    id: response.id ?? null,
    model: response.model ?? null,
    text: openAIContentText(message.content),
    toolCalls: (message.tool_calls ?? []).map(toToolCall),
    reasoning,
    reasoningBlocks,
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
    usage: response.usage ? mapOpenAIUsage(response.usage, convention) : emptyUsage(),
  };
}

function toToolCall(call: OpenAIToolCallWire, position: number): ToolCall {
  return {
    // A few local servers leave the id out; a later turn still needs one to answer the call.
    id: call.id || `call_${position}`,
    name: call.function?.name ?? '',
    arguments: call.function?.arguments ?? '',
  };
}

function protocolError(message: string, provider: string): GatewayError {
  return new UpstreamProtocolError(message, { provider });
}
