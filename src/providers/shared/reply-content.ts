// The content of a whole (not streamed) reply as a protocol's mapper gathers it from the
// upstream's blocks, parts or items: text and reasoning concatenated, tool calls and reasoning
// blocks in order; then the ChatResult, with the reply's id, model, finish reason and usage.
import type { ChatResult, ReasoningBlock, ToolCall } from '../../core/types.ts';

export class ReplyContent {
  text = '';
  reasoning = '';
  readonly toolCalls: ToolCall[] = [];
  readonly reasoningBlocks: ReasoningBlock[] = [];

  /** A thinking block, kept with its signature (when it has one) to be sent back; its text is reasoning too. */
  thinking(text: string, signature: string | undefined): void {
    this.reasoning += text;
    this.reasoningBlocks.push({ type: 'thinking', text, ...(signature === undefined ? {} : { signature }) });
  }

  /** An encrypted reasoning block, kept to be sent back. */
  redacted(data: string): void {
    this.reasoningBlocks.push({ type: 'redacted', data });
  }

  result(reply: Pick<ChatResult, 'id' | 'model' | 'finishReason' | 'usage'>): ChatResult {
    return {
      id: reply.id,
      model: reply.model,
      text: this.text,
      toolCalls: this.toolCalls,
      reasoning: this.reasoning,
      reasoningBlocks: this.reasoningBlocks,
      finishReason: reply.finishReason,
      usage: reply.usage,
    };
  }
}
