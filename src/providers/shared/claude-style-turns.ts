// What Anthropic's Messages API and Bedrock's Converse (which mirrors it) ask of a conversation,
// whatever their block shapes: system messages apart, user and assistant turns that alternate,
// tool results in a user turn, and an assistant turn that sends its reasoning back first, then
// its text, then its tool calls. Each converter supplies only how it writes each block.
import type { ContentPart, Message, ReasoningBlock, ToolCall } from '../../core/types.ts';
import { parseToolArguments } from './parse-tool-arguments.ts';

export interface Turn<Block> {
  role: 'user' | 'assistant';
  content: Block[];
}

/** Adds `content` as a turn of `role`, merged into the last turn when that has the same role. */
function appendTurn<Block>(turns: Array<Turn<Block>>, role: Turn<Block>['role'], content: Block[]): void {
  if (content.length === 0) return;
  const last = turns.at(-1);
  if (last?.role === role) last.content.push(...content);
  else turns.push({ role, content });
}

/** How one protocol writes each block. */
export interface BlockWriter<System, Block> {
  system(message: Extract<Message, { role: 'system' }>): System[];
  user(part: ContentPart): Block[];
  toolResult(message: Extract<Message, { role: 'tool' }>): Block;
  redacted(data: string): Block;
  thinking(text: string, signature: string): Block;
  text(text: string): Block;
  /** `input` is the call's arguments parsed from their JSON text. */
  toolUse(call: ToolCall, input: unknown): Block;
}

export interface ClaudeStyleConversation<System, Block> {
  system: System[];
  messages: Array<Turn<Block>>;
}

/**
 * System messages, wherever they are, become system blocks in order. Tool results travel in a
 * user turn; consecutive turns of one role are merged because the APIs want user and assistant
 * to alternate.
 */
export function convertClaudeStyleMessages<System, Block>(messages: Message[], write: BlockWriter<System, Block>): ClaudeStyleConversation<System, Block> {
  const system: System[] = [];
  const turns: Array<Turn<Block>> = [];
  for (const message of messages) {
    if (message.role === 'system') system.push(...write.system(message));
    else if (message.role === 'user') appendTurn(turns, 'user', message.content.flatMap((part) => write.user(part)));
    else if (message.role === 'assistant') appendTurn(turns, 'assistant', assistantBlocks(message.content, message.toolCalls, message.reasoning, write));
    else appendTurn(turns, 'user', [write.toolResult(message)]);
  }
  return { system, messages: turns };
}

/**
 * Reasoning goes back first, unmodified and with its signature, as Anthropic's extended-thinking
 * guide asks; reasoning without a signature (e.g. produced by another provider) cannot be verified
 * and is left out. Then the text, then the tool calls.
 */
function assistantBlocks<Block>(
  content: string | null,
  toolCalls: ToolCall[] | undefined,
  reasoning: ReasoningBlock[] | undefined,
  write: BlockWriter<unknown, Block>,
): Block[] {
  const blocks: Block[] = [];
  for (const block of reasoning ?? []) {
    if (block.type === 'redacted') blocks.push(write.redacted(block.data));
    else if (block.signature !== undefined) blocks.push(write.thinking(block.text, block.signature));
  }
  if (content !== null && content !== '') blocks.push(write.text(content));
  for (const call of toolCalls ?? []) blocks.push(write.toolUse(call, parseToolArguments(call)));
  return blocks;
}
