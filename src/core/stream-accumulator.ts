// Builds a stream's final result from its parts, turns parts into client events, and says what a
// stream that ended early should be billed.
import type { CompletionEvent } from './requests/request-types.ts';
import { estimatePromptTokens } from './token-estimate.ts';
import type { ChatRequest, ChatResult, FinishReason, ReasoningBlock, StreamPart, ToolCall, Usage } from './types.ts';
import { emptyUsage } from './types.ts';

export class StreamAccumulator {
  text = '';
  reasoning = '';
  reasoningBlocks: ReasoningBlock[] = [];
  toolCalls: ToolCall[] = [];
  private toolIndex = new Map<number, number>();
  usage: Usage | null = null;
  /** The upstream said `usage` is its final count (see the `usage` StreamPart). */
  usageFinal = false;
  finishReason: FinishReason | null = null;
  id: string | null = null;
  model: string | null = null;
  sentContent = false;

  get finished(): boolean {
    return this.finishReason !== null;
  }

  take(part: StreamPart): CompletionEvent | null {
    switch (part.type) {
      case 'response-metadata':
        this.id = part.id;
        this.model = part.model;
        return null;
      case 'text-delta':
        if (part.text === '') return null;
        this.text += part.text;
        this.sentContent = true;
        return { type: 'text-delta', text: part.text };
      case 'reasoning-delta':
        if (part.text === '') return null;
        this.reasoning += part.text;
        this.sentContent = true;
        return { type: 'reasoning-delta', text: part.text };
      case 'reasoning-block':
        this.reasoningBlocks.push(part.block);
        return { type: 'reasoning-block', block: part.block };
      case 'tool-call-start': {
        const position = this.toolCalls.push({ id: part.id, name: part.name, arguments: '' }) - 1;
        this.toolIndex.set(part.index, position);
        this.sentContent = true;
        return { type: 'tool-call-delta', index: position, id: part.id, name: part.name, argumentsDelta: '' };
      }
      case 'tool-call-delta': {
        const position = this.toolIndex.get(part.index);
        if (position === undefined || part.argumentsDelta === '') return null;
        this.toolCalls[position]!.arguments += part.argumentsDelta;
        return { type: 'tool-call-delta', index: position, id: null, name: null, argumentsDelta: part.argumentsDelta };
      }
      case 'tool-call-end':
        return null;
      case 'usage':
        this.usage = part.usage;
        this.usageFinal = part.final === true;
        return null;
      case 'finish':
        this.finishReason = part.finishReason;
        return null;
      case 'error':
        return null;
    }
  }

  result(): ChatResult {
    return {
      id: this.id,
      model: this.model,
      text: this.text,
      toolCalls: this.toolCalls,
      reasoning: this.reasoning,
      reasoningBlocks: this.reasoningBlocks,
      finishReason: this.finishReason ?? { unified: 'OTHER', raw: null },
      usage: this.usage ?? emptyUsage(),
    };
  }
}

/**
 * The usage to bill for a stream. Reported usage wins; when the upstream reported none, or a
 * failed stream was cut before its final usage, the produced output is estimated so partial
 * output is billed. A failure before any content bills nothing beyond what the upstream reported.
 */
export function streamUsage(request: ChatRequest, accumulator: StreamAccumulator, failed: boolean): Usage {
  const reported = accumulator.usage;
  if (reported && (!failed || accumulator.usageFinal)) return reported;
  if (!accumulator.sentContent) return reported ?? emptyUsage();
  const outputCharacters =
    accumulator.text.length + accumulator.reasoning.length + accumulator.toolCalls.reduce((n, c) => n + c.arguments.length + c.name.length, 0);
  const estimatedOutput = Math.ceil(outputCharacters / 4);
  return {
    ...(reported ?? emptyUsage()),
    inputTokens: reported?.inputTokens || estimatePromptTokens(request),
    outputTokens: Math.max(reported?.outputTokens ?? 0, estimatedOutput),
  };
}
