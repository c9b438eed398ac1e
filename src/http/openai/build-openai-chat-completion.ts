// A completed outcome -> the `chat.completion` object, with OpenRouter's additions: `provider`,
// `native_finish_reason`, `usage.cost`, and `reasoning` / `reasoning_details` on the message.
import type { CompletionOutcome } from '../../core/completion-service.ts';
import type { ChatResult, ReasoningBlock } from '../../core/types.ts';
import { convertUsageToOpenAI } from './convert-usage-to-openai.ts';
import { mapFinishReasonToOpenAI } from './map-finish-reason-to-openai.ts';

export function buildOpenAIChatCompletion(outcome: CompletionOutcome, created: number) {
  const { result } = outcome;
  return {
    id: outcome.generationId,
    object: 'chat.completion' as const,
    created,
    model: outcome.model,
    provider: outcome.providerId,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: result.text === '' && result.toolCalls.length > 0 ? null : result.text,
          refusal: null,
          ...(result.toolCalls.length > 0
            ? { tool_calls: result.toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })) }
            : {}),
          ...reasoningFields(result),
        },
        finish_reason: mapFinishReasonToOpenAI(result.finishReason, result.toolCalls.length > 0),
        native_finish_reason: result.finishReason.raw,
        logprobs: null,
      },
    ],
    usage: convertUsageToOpenAI(result.usage, outcome.cost),
    // The gateway's addition: parameters the serving model does not support were not sent.
    ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
  };
}

/** OpenRouter's shape: the reasoning text, and the signed blocks a later turn must send back. */
export function reasoningFields(result: Pick<ChatResult, 'reasoning' | 'reasoningBlocks'>) {
  return {
    ...(result.reasoning !== '' ? { reasoning: result.reasoning } : {}),
    ...(result.reasoningBlocks.length > 0 ? { reasoning_details: result.reasoningBlocks.map(toReasoningDetail) } : {}),
  };
}

function toReasoningDetail(block: ReasoningBlock, index: number) {
  if (block.type === 'redacted') return { type: 'reasoning.encrypted' as const, data: block.data, index };
  return { type: 'reasoning.text' as const, text: block.text, ...(block.signature !== undefined ? { signature: block.signature } : {}), index };
}
