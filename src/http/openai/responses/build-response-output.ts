// A finished ChatResult -> output items: reasoning first (its summary, and the signed blocks to
// send back), then the assistant message, then one function_call item per tool call.
import type { ChatResult } from '../../../core/types.ts';
import { encodeReasoningContent } from './reasoning-content-codec.ts';
import { itemIdFor, type OutputItem } from './response-object.ts';

export function buildResponseOutput(result: ChatResult, responseId: string, messageStatus: 'completed' | 'incomplete'): OutputItem[] {
  const output: OutputItem[] = [];
  const reasoning = reasoningItem(result.reasoning, encodeReasoningContent(result.reasoningBlocks), itemIdFor('rs', responseId, 0));
  if (reasoning) output.push(reasoning);
  if (result.text !== '' || result.toolCalls.length === 0) {
    output.push({ type: 'message', id: itemIdFor('msg', responseId, output.length), status: messageStatus, role: 'assistant', content: [outputText(result.text)] });
  }
  for (const call of result.toolCalls) {
    output.push({ type: 'function_call', id: itemIdFor('fc', responseId, output.length), call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' });
  }
  return output;
}

export function reasoningItem(summary: string, encryptedContent: string | null, id: string): OutputItem | null {
  if (summary === '' && encryptedContent === null) return null;
  return {
    type: 'reasoning',
    id,
    summary: summary === '' ? [] : [{ type: 'summary_text', text: summary }],
    ...(encryptedContent !== null ? { encrypted_content: encryptedContent } : {}),
  };
}

export const outputText = (text: string) => ({ type: 'output_text' as const, text, annotations: [] as [], logprobs: [] as [] });
