// The content blocks of a streamed Claude-style message (Anthropic's Messages API, and Bedrock's
// Converse, which mirrors it): blocks open by index, carry text, a tool call's argument pieces or
// reasoning, and close. What a block adds when it closes is the same in both protocols.
import type { StreamPart } from '../../core/types.ts';

export type OpenBlock =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  /** `redacted` is set for a redacted (encrypted) reasoning block. */
  | { kind: 'reasoning'; text: string; signature: string; redacted: string | undefined }
  | { kind: 'other' };

export type ToolBlock = Extract<OpenBlock, { kind: 'tool' }>;
export type ReasoningBlockState = Extract<OpenBlock, { kind: 'reasoning' }>;

export class OpenContentBlocks {
  /** Open blocks by content block index. */
  private readonly blocks = new Map<number, OpenBlock>();
  /** Tool calls are numbered 0, 1, ... in order, whatever their content block index. */
  private nextToolIndex = 0;

  get(index: number): OpenBlock | undefined {
    return this.blocks.get(index);
  }

  open(index: number, block: OpenBlock): void {
    this.blocks.set(index, block);
  }

  openTool(index: number, id: string, name: string, parts: StreamPart[]): ToolBlock {
    const block: ToolBlock = { kind: 'tool', toolIndex: this.nextToolIndex++, sentArguments: false };
    this.blocks.set(index, block);
    parts.push({ type: 'tool-call-start', index: block.toolIndex, id, name });
    return block;
  }

  openReasoning(index: number, text = '', signature = '', redacted?: string): ReasoningBlockState {
    const block: ReasoningBlockState = { kind: 'reasoning', text, signature, redacted };
    this.blocks.set(index, block);
    return block;
  }

  /** A piece of a tool call's arguments; empty pieces carry nothing. */
  toolArguments(block: ToolBlock, piece: string | undefined, parts: StreamPart[]): void {
    if (!piece) return;
    block.sentArguments = true;
    parts.push({ type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: piece });
  }

  /** Closes a block: a tool call ends, a reasoning block is reported whole (to be sent back later). */
  close(index: number, parts: StreamPart[]): void {
    const block = this.blocks.get(index);
    this.blocks.delete(index);
    if (block?.kind === 'tool') {
      // A call without arguments still has a JSON object for them.
      if (!block.sentArguments) parts.push({ type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: '{}' });
      parts.push({ type: 'tool-call-end', index: block.toolIndex });
    } else if (block?.kind === 'reasoning') {
      if (block.redacted !== undefined) parts.push({ type: 'reasoning-block', block: { type: 'redacted', data: block.redacted } });
      else parts.push({ type: 'reasoning-block', block: { type: 'thinking', text: block.text, ...(block.signature === '' ? {} : { signature: block.signature }) } });
    }
  }
}
