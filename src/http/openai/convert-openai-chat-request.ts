// A validated Chat Completions body -> the core's CompletionRequest. Shapes the schema cannot
// express (a model named somewhere, tool results naming their call) are checked here with errors
// that name the field.
import type { CompletionRequest } from '../../core/completion-service.ts';
import { jsonSchemaFormat, type ContentPart, type Message, type ReasoningBlock, type ReasoningEffort, type ReasoningOptions, type ResponseFormat, type ToolChoice } from '../../core/types.ts';
import { effortForBudget } from '../shared/effort-for-budget.ts';
import { invalidField } from '../shared/rest-request-error.ts';
import type { OpenAIChatMessage, OpenAIChatRequest, WireEffort } from './openai-chat-request-schema.ts';
import { toRoutingPreferences } from './openrouter-provider-preferences.ts';

export interface ConvertedChatRequest {
  completion: CompletionRequest;
  stream: boolean;
}

type TextPart = { type: 'text'; text: string; cache_control?: { type: 'ephemeral'; ttl?: string | null | undefined } | null | undefined };

export function convertOpenAIChatRequest(body: OpenAIChatRequest): ConvertedChatRequest {
  // OpenRouter: with `models`, `model` may be left out and the list is tried in order.
  const [model, ...fallbackModels] = uniqueNames([body.model, ...(body.models ?? [])]);
  if (model === undefined) throw invalidField('model', 'required (or give a `models` list)');

  const toolNames = new Map<string, string>();
  const messages = body.messages.flatMap((message, index) => toMessages(message, index, toolNames));
  const tools = body.tools?.map((tool) => ({
    name: tool.function.name,
    // A function without parameters takes none; providers want an object schema regardless.
    parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    ...(tool.function.description != null ? { description: tool.function.description } : {}),
    ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
  }));
  const reasoning = reasoningOptions(body);
  const stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens;
  // OpenRouter's `provider` preferences go to the router as the request's routing.
  const routing = toRoutingPreferences(body.provider);

  return {
    stream: body.stream === true,
    completion: {
      model,
      ...(fallbackModels.length > 0 ? { fallbackModels } : {}),
      ...(routing ? { routing } : {}),
      parameters: {
        messages,
        ...(tools?.length ? { tools } : {}),
        ...(body.tool_choice != null ? { toolChoice: toToolChoice(body.tool_choice) } : {}),
        ...(body.parallel_tool_calls != null ? { parallelToolCalls: body.parallel_tool_calls } : {}),
        ...(body.response_format != null ? { responseFormat: toResponseFormat(body.response_format) } : {}),
        ...(reasoning ? { reasoning } : {}),
        ...(body.temperature != null ? { temperature: body.temperature } : {}),
        ...(body.top_p != null ? { topP: body.top_p } : {}),
        ...(maxOutputTokens != null ? { maxOutputTokens } : {}),
        ...(stop?.length ? { stop } : {}),
        ...(body.seed != null ? { seed: body.seed } : {}),
        ...(body.user != null ? { user: body.user } : {}),
        ...(body.metadata != null ? { metadata: body.metadata } : {}),
      },
    },
  };
}

function uniqueNames(names: Array<string | null | undefined>): string[] {
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name !== ''))];
}

function toMessages(message: OpenAIChatMessage, index: number, toolNames: Map<string, string>): Message[] {
  const where = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer':
      // Text parts stay separate system messages so a part's cache breakpoint keeps its place.
      return typeof message.content === 'string'
        ? [{ role: 'system', content: message.content }]
        : message.content.map((part) => ({ role: 'system', content: part.text, ...cacheControlOf(part) }));
    case 'user':
      return [{ role: 'user', content: typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content.map(toUserPart) }];
    case 'assistant': {
      const toolCalls = (message.tool_calls ?? []).map((call) => {
        toolNames.set(call.id, call.function.name);
        return { id: call.id, name: call.function.name, arguments: call.function.arguments };
      });
      const reasoning = (message.reasoning_details ?? []).flatMap(toReasoningBlock);
      const content = typeof message.content === 'string' ? message.content : message.content == null ? null : assistantText(message.content);
      if ((content === null || content === '') && toolCalls.length === 0 && reasoning.length === 0) {
        throw invalidField(`${where}.content`, 'an assistant message needs content or tool_calls');
      }
      return [{ role: 'assistant', content, ...(toolCalls.length ? { toolCalls } : {}), ...(reasoning.length ? { reasoning } : {}) }];
    }
    case 'tool': {
      const name = toolNames.get(message.tool_call_id);
      const content = typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('\n');
      return [{ role: 'tool', toolCallId: message.tool_call_id, content, ...(name !== undefined ? { name } : {}) }];
    }
    case 'function':
      // Refused by the schema; kept for exhaustiveness.
      throw invalidField(`${where}.role`, 'the "function" role is not supported');
  }
}

function cacheControlOf(part: TextPart): { cacheControl?: { type: 'ephemeral'; ttl?: string } } {
  if (part.cache_control == null) return {};
  return { cacheControl: { type: 'ephemeral', ...(part.cache_control.ttl != null ? { ttl: part.cache_control.ttl } : {}) } };
}

type UserPart = Exclude<Extract<OpenAIChatMessage, { role: 'user' }>['content'], string>[number];

function toUserPart(part: UserPart): ContentPart {
  if (part.type === 'text') return { type: 'text', text: part.text, ...cacheControlOf(part) };
  if (part.type === 'image_url') {
    return { type: 'image', url: part.image_url.url, ...(part.image_url.detail != null ? { detail: part.image_url.detail } : {}) };
  }
  // input_audio and file parts are refused by the schema.
  throw invalidField('content', `"${part.type}" content parts are not supported`);
}

function assistantText(parts: Array<TextPart | { type: 'refusal'; refusal: string }>): string {
  return parts.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('');
}

type ReasoningDetail = NonNullable<Extract<OpenAIChatMessage, { role: 'assistant' }>['reasoning_details']>[number];

function toReasoningBlock(detail: ReasoningDetail): ReasoningBlock[] {
  if (detail.type === 'reasoning.encrypted') return [{ type: 'redacted', data: detail.data }];
  if (detail.type === 'reasoning.text') {
    return [{ type: 'thinking', text: detail.text ?? '', ...(detail.signature != null ? { signature: detail.signature } : {}) }];
  }
  // Summaries cannot be verified or replayed by any provider.
  return [];
}

function toToolChoice(choice: NonNullable<OpenAIChatRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function toResponseFormat(format: NonNullable<OpenAIChatRequest['response_format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, schema, strict, description } = format.json_schema;
  // OpenAI lets the schema be left out; that asks for JSON without a shape.
  if (schema == null) return { type: 'json_object' };
  return jsonSchemaFormat({ name, schema, strict, description });
}

/** `reasoning_effort` (OpenAI) or `reasoning` (OpenRouter); "none" and `enabled: false` turn it off. */
function reasoningOptions(body: OpenAIChatRequest): ReasoningOptions | undefined {
  if (body.reasoning != null) {
    if (body.reasoning.enabled === false) return undefined;
    const effort = coreEffort(body.reasoning.effort ?? body.reasoning_effort);
    if (effort === null) return undefined;
    const budget = body.reasoning.max_tokens ?? undefined;
    return {
      effort: effort ?? (budget === undefined ? 'medium' : effortForBudget(budget)),
      ...(budget !== undefined ? { budgetTokens: budget } : {}),
    };
  }
  const effort = coreEffort(body.reasoning_effort);
  return effort ? { effort } : undefined;
}

/** null = reasoning off; undefined = not said. The core's scale tops out at "high". */
function coreEffort(effort: WireEffort | null | undefined): ReasoningEffort | null | undefined {
  if (effort == null) return undefined;
  if (effort === 'none') return null;
  return effort === 'xhigh' ? 'high' : effort;
}
