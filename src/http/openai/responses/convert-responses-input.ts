// Responses input items -> the core's messages. Consecutive assistant-side items (reasoning,
// assistant messages, function calls) form one assistant turn, as a provider expects them; a
// function call's output becomes a tool message naming its function.
import type { ContentPart, Message, ReasoningBlock, ToolCall } from '../../../core/types.ts';
import { invalidField } from '../../shared/rest-request-error.ts';
import { decodeReasoningContent } from './reasoning-content-codec.ts';
import type { ResponsesInputItem } from './responses-request-schema.ts';

interface AssistantTurn {
  text: string;
  toolCalls: ToolCall[];
  reasoning: ReasoningBlock[];
}

type UserContent = Extract<ResponsesInputItem, { role: 'user' }>['content'];
type OutputContent = Extract<ResponsesInputItem, { type: 'function_call_output' }>['output'];

/**
 * `items` may begin with a stored conversation's items; `clientItemsFrom` is where the request's
 * own `input` starts, so errors name the client's index.
 */
export function convertResponsesInput(items: readonly ResponsesInputItem[], clientItemsFrom = 0): Message[] {
  const messages: Message[] = [];
  const toolNames = new Map<string, string>();
  let turn: AssistantTurn | null = null;
  const assistant = (): AssistantTurn => (turn ??= { text: '', toolCalls: [], reasoning: [] });
  const endTurn = () => {
    if (turn === null) return;
    const { text, toolCalls, reasoning } = turn;
    turn = null;
    if (text === '' && toolCalls.length === 0 && reasoning.length === 0) return;
    messages.push({
      role: 'assistant',
      content: text === '' ? null : text,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      ...(reasoning.length > 0 ? { reasoning } : {}),
    });
  };

  items.forEach((item, index) => {
    if ('role' in item) {
      if (item.role === 'assistant') {
        assistant().text += typeof item.content === 'string' ? item.content : item.content.map((part) => (part.type === 'refusal' ? part.refusal : part.text)).join('');
        return;
      }
      endTurn();
      if (item.role === 'user') messages.push({ role: 'user', content: toUserContent(item.content) });
      else messages.push({ role: 'system', content: typeof item.content === 'string' ? item.content : item.content.map((part) => part.text).join('\n') });
      return;
    }
    switch (item.type) {
      case 'reasoning':
        // Summaries alone cannot be verified by any provider; only our envelope is sent back.
        if (item.encrypted_content) assistant().reasoning.push(...decodeReasoningContent(item.encrypted_content));
        return;
      case 'function_call':
        toolNames.set(item.call_id, item.name);
        assistant().toolCalls.push({ id: item.call_id, name: item.name, arguments: item.arguments });
        return;
      case 'function_call_output': {
        endTurn();
        const name = toolNames.get(item.call_id);
        if (name === undefined) throw invalidField(`input[${index - clientItemsFrom}].call_id`, `no function_call with call_id "${item.call_id}" precedes this output`);
        messages.push({ role: 'tool', toolCallId: item.call_id, name, content: toolOutputText(item.output) });
        return;
      }
      case 'item_reference':
        // Refused by the schema; kept for exhaustiveness.
        throw invalidField(`input[${index - clientItemsFrom}]`, 'item references are not supported');
    }
  });
  endTurn();
  return messages;
}

function toUserContent(content: UserContent): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part): ContentPart => {
    if (part.type === 'input_text') return { type: 'text', text: part.text };
    if (part.type === 'input_image') return { type: 'image', url: part.image_url, ...(part.detail != null ? { detail: part.detail } : {}) };
    // Refused by the schema.
    throw invalidField('input', `"${part.type}" content parts are not supported`);
  });
}

/** Tool results are text to every provider; an image in a function's output is refused. */
function toolOutputText(output: OutputContent): string {
  if (typeof output === 'string') return output;
  return output
    .map((part) => {
      if (part.type === 'input_text') return part.text;
      throw invalidField('input', 'images in function_call_output are not supported by this gateway');
    })
    .join('\n');
}
