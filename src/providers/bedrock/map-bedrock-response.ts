// A Converse response -> ChatResult, following the Converse API reference (output.message content
// blocks, stopReason, usage). Converse sends no response id or model id in the body; the caller
// passes the x-amzn-requestid header as the id.
import type { ChatResult, ReasoningBlock, ToolCall } from '../../core/types.ts';
import type { BedrockWireConverseResponse } from './bedrock-wire.ts';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.ts';
import { mapBedrockUsage } from './map-bedrock-usage.ts';
import { isServerToolUse } from './server-tool-use.ts';

export function mapBedrockResponse(response: BedrockWireConverseResponse, requestId: string | null): ChatResult {
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const reasoningBlocks: ReasoningBlock[] = [];
  for (const block of response.output?.message?.content ?? []) {
    if (block.text !== undefined) {
      text += block.text;
    } else if (block.toolUse !== undefined) {
      // The provider ran server tools itself and put their toolResult beside them: not the client's to run.
      if (isServerToolUse(block.toolUse.type)) continue;
      toolCalls.push({ id: block.toolUse.toolUseId ?? '', name: block.toolUse.name ?? '', arguments: JSON.stringify(block.toolUse.input ?? {}) });
    } else if (block.reasoningContent?.reasoningText !== undefined) {
      const { text: thought = '', signature } = block.reasoningContent.reasoningText;
      reasoning += thought;
      reasoningBlocks.push({ type: 'thinking', text: thought, ...(signature === undefined ? {} : { signature }) });
    } else if (block.reasoningContent?.redactedContent !== undefined) {
      reasoningBlocks.push({ type: 'redacted', data: block.reasoningContent.redactedContent });
    }
  }
  return {
    id: requestId,
    model: null,
    text,
    toolCalls,
    reasoning,
    reasoningBlocks,
    finishReason: mapBedrockStopReason(response.stopReason),
    usage: mapBedrockUsage(response.usage),
  };
}
