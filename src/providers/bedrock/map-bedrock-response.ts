// A Converse response -> ChatResult, following the Converse API reference (output.message content
// blocks, stopReason, usage). Converse sends no response id or model id in the body; the caller
// passes the x-amzn-requestid header as the id.
import type { ChatResult } from '../../core/types.ts';
import { ReplyContent } from '../shared/reply-content.ts';
import type { BedrockWireConverseResponse } from './bedrock-wire.ts';
import { mapBedrockStopReason } from './map-bedrock-stop-reason.ts';
import { mapBedrockUsage } from './map-bedrock-usage.ts';
import { isServerToolUse } from './server-tool-use.ts';

export function mapBedrockResponse(response: BedrockWireConverseResponse, requestId: string | null): ChatResult {
  const content = new ReplyContent();
  for (const block of response.output?.message?.content ?? []) {
    if (block.text !== undefined) {
      content.text += block.text;
    } else if (block.toolUse !== undefined) {
      // The provider ran server tools itself and put their toolResult beside them: not the client's to run.
      if (isServerToolUse(block.toolUse.type)) continue;
      content.toolCalls.push({ id: block.toolUse.toolUseId ?? '', name: block.toolUse.name ?? '', arguments: JSON.stringify(block.toolUse.input ?? {}) });
    } else if (block.reasoningContent?.reasoningText !== undefined) {
      const { text: thought = '', signature } = block.reasoningContent.reasoningText;
      content.thinking(thought, signature);
    } else if (block.reasoningContent?.redactedContent !== undefined) {
      content.redacted(block.reasoningContent.redactedContent);
    }
  }
  return content.result({ id: requestId, model: null, finishReason: mapBedrockStopReason(response.stopReason), usage: mapBedrockUsage(response.usage) });
}
