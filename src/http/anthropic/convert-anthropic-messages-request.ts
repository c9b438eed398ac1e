// A validated Messages body -> the core's CompletionRequest, so any provider can answer it.
// Within a user turn, tool_result blocks become tool messages and the other blocks user content,
// keeping their order; an assistant turn becomes one message with its text, tool calls and
// thinking blocks (signatures kept, so Anthropic can verify them on the next turn).
import type { CompletionRequest } from '../../core/completion-service.ts';
import type { CacheControl, ContentPart, Message, ReasoningBlock, ReasoningEffort, ReasoningOptions, ResponseFormat, ToolCall, ToolChoice } from '../../core/types.ts';
import { effortForBudget } from '../shared/effort-for-budget.ts';
import { invalidField } from '../shared/rest-request-error.ts';
import type { AnthropicContentBlock, AnthropicCountTokensRequest, AnthropicMessagesRequest } from './anthropic-messages-request-schema.ts';

export interface ConvertedMessagesRequest {
  completion: CompletionRequest;
  stream: boolean;
}

/** Also converts a count_tokens body, whose max_tokens is optional. */
export function convertAnthropicMessagesRequest(body: AnthropicMessagesRequest | AnthropicCountTokensRequest): ConvertedMessagesRequest {
  const toolNames = new Map<string, string>();
  const messages: Message[] = [...systemMessages(body.system)];
  body.messages.forEach((message, index) => {
    const blocks: AnthropicContentBlock[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    const where = `messages[${index}].content`;
    messages.push(...(message.role === 'user' ? userMessages(blocks, where, toolNames) : [assistantMessage(blocks, where, toolNames)]));
  });

  const tools = body.tools?.map((tool) => ({
    name: tool.name,
    parameters: tool.input_schema ?? { type: 'object', properties: {} },
    ...(tool.description != null ? { description: tool.description } : {}),
    ...(tool.strict != null ? { strict: tool.strict } : {}),
  }));
  const choice = body.tool_choice == null ? undefined : toToolChoice(body.tool_choice);
  const format = body.output_config?.format ?? body.output_format;
  const responseFormat: ResponseFormat | undefined = format == null ? undefined : { type: 'json_schema', name: 'output', schema: format.schema };
  const reasoning = reasoningOptions(body);

  return {
    stream: body.stream === true,
    completion: {
      model: body.model,
      parameters: {
        messages,
        ...(body.max_tokens != null ? { maxOutputTokens: body.max_tokens } : {}),
        ...(tools?.length ? { tools } : {}),
        ...(choice?.toolChoice !== undefined ? { toolChoice: choice.toolChoice } : {}),
        ...(choice?.parallelToolCalls !== undefined ? { parallelToolCalls: choice.parallelToolCalls } : {}),
        ...(responseFormat ? { responseFormat } : {}),
        ...(reasoning ? { reasoning } : {}),
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { topP: body.top_p } : {}),
        ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
        ...(body.metadata?.user_id != null ? { user: body.metadata.user_id } : {}),
      },
    },
  };
}

function systemMessages(system: AnthropicMessagesRequest['system']): Message[] {
  if (system == null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  return system.map((block) => ({ role: 'system', content: block.text, ...cacheControlOf(block.cache_control) }));
}

function userMessages(blocks: AnthropicContentBlock[], where: string, toolNames: Map<string, string>): Message[] {
  const messages: Message[] = [];
  let parts: ContentPart[] = [];
  const flush = () => {
    if (parts.length > 0) messages.push({ role: 'user', content: parts });
    parts = [];
  };
  blocks.forEach((block, index) => {
    const at = `${where}[${index}]`;
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text, ...cacheControlOf(block.cache_control) });
        return;
      case 'image':
        parts.push(
          block.source.type === 'base64'
            ? { type: 'image', data: block.source.data, mediaType: block.source.media_type }
            : { type: 'image', url: block.source.url },
        );
        return;
      case 'tool_result': {
        flush();
        const name = toolNames.get(block.tool_use_id);
        messages.push({
          role: 'tool',
          toolCallId: block.tool_use_id,
          content: toolResultText(block.content, `${at}.content`),
          ...(name !== undefined ? { name } : {}),
          ...(block.is_error === true ? { isError: true } : {}),
        });
        return;
      }
      default:
        throw invalidField(`${at}.type`, `"${block.type}" blocks belong in assistant turns, not user turns`);
    }
  });
  flush();
  if (messages.length === 0) throw invalidField(where, 'a user turn needs at least one content block');
  return messages;
}

/** The core carries a tool result as text; Anthropic allows text and image blocks in it. */
function toolResultText(content: Extract<AnthropicContentBlock, { type: 'tool_result' }>['content'], where: string): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((block, index) => {
      if (block.type !== 'text') throw invalidField(`${where}[${index}].type`, 'images in tool results are not supported by this gateway');
      return block.text;
    })
    .join('\n');
}

function assistantMessage(blocks: AnthropicContentBlock[], where: string, toolNames: Map<string, string>): Message {
  let text = '';
  const toolCalls: ToolCall[] = [];
  const reasoning: ReasoningBlock[] = [];
  blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        text += block.text;
        return;
      case 'tool_use':
        toolNames.set(block.id, block.name);
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        return;
      case 'thinking':
        reasoning.push({ type: 'thinking', text: block.thinking, ...(block.signature ? { signature: block.signature } : {}) });
        return;
      case 'redacted_thinking':
        reasoning.push({ type: 'redacted', data: block.data });
        return;
      default:
        throw invalidField(`${where}[${index}].type`, `"${block.type}" blocks belong in user turns, not assistant turns`);
    }
  });
  return {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    ...(toolCalls.length ? { toolCalls } : {}),
    ...(reasoning.length ? { reasoning } : {}),
  };
}

function cacheControlOf(cacheControl: { type: 'ephemeral'; ttl?: string | null | undefined } | null | undefined): { cacheControl?: CacheControl } {
  if (cacheControl == null) return {};
  return { cacheControl: { type: 'ephemeral', ...(cacheControl.ttl != null ? { ttl: cacheControl.ttl } : {}) } };
}

function toToolChoice(choice: NonNullable<AnthropicMessagesRequest['tool_choice']>): { toolChoice: ToolChoice; parallelToolCalls?: boolean } {
  const parallel = 'disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true ? { parallelToolCalls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { toolChoice: 'auto', ...parallel };
    case 'any':
      return { toolChoice: 'required', ...parallel };
    case 'tool':
      return { toolChoice: { name: choice.name }, ...parallel };
    case 'none':
      return { toolChoice: 'none' };
  }
}

/** `thinking.budget_tokens` is a budget; adaptive thinking and `output_config.effort` an effort. */
function reasoningOptions(body: Pick<AnthropicMessagesRequest, 'thinking' | 'output_config'>): ReasoningOptions | undefined {
  const effort = body.output_config?.effort == null ? undefined : coreEffort(body.output_config.effort);
  switch (body.thinking?.type) {
    case 'enabled':
      return { budgetTokens: body.thinking.budget_tokens, effort: effort ?? effortForBudget(body.thinking.budget_tokens) };
    case 'adaptive':
      return { effort: effort ?? 'medium' };
    case 'disabled':
      return undefined;
    default:
      return effort ? { effort } : undefined;
  }
}

/** The core's scale tops out at "high". */
function coreEffort(effort: 'low' | 'medium' | 'high' | 'xhigh' | 'max'): ReasoningEffort {
  return effort === 'xhigh' || effort === 'max' ? 'high' : effort;
}
