// ChatCompletionInput and its conversion to the core's canonical request. GraphQL has no input
// unions, so a message is one flat input whose fields are validated per role here.
import { InvalidRequestError } from '../../core/errors.ts';
import { INPUT_LIMITS, checkBoundedText, checkMetadata } from '../../core/input-limits.ts';
import type { CompletionRequest } from '../../core/completion-service.ts';
import { parseUsd } from '../../core/money.ts';
import type { RoutingPreferences } from '../../core/router/routing-preferences.ts';
import { jsonSchemaFormat, type ContentPart, type Message, type ReasoningBlock, type ResponseFormat, type ToolChoice } from '../../core/types.ts';
import { CacheInput, toCacheDirectives } from './response-cache.ts';
import { builder } from '../builder.ts';

const RoleEnum = builder.enumType('MessageRole', { values: ['SYSTEM', 'USER', 'ASSISTANT', 'TOOL'] as const });
const ContentPartTypeEnum = builder.enumType('ContentPartType', { values: ['TEXT', 'IMAGE'] as const });
const ImageDetailEnum = builder.enumType('ImageDetail', { values: ['AUTO', 'LOW', 'HIGH'] as const });
const ToolChoiceModeEnum = builder.enumType('ToolChoiceMode', { values: ['AUTO', 'NONE', 'REQUIRED'] as const });
const ResponseFormatTypeEnum = builder.enumType('ResponseFormatType', { values: ['TEXT', 'JSON_OBJECT', 'JSON_SCHEMA'] as const });
const ReasoningEffortEnum = builder.enumType('ReasoningEffort', { values: ['MINIMAL', 'LOW', 'MEDIUM', 'HIGH'] as const });

const ContentPartInput = builder.inputType('ContentPartInput', {
  fields: (t) => ({
    type: t.field({ type: ContentPartTypeEnum, required: true }),
    text: t.string({ required: false }),
    imageUrl: t.string({ required: false, description: 'An http(s) or data: URL.' }),
    imageData: t.string({ required: false, description: 'Base64 image bytes (with mediaType).' }),
    mediaType: t.string({ required: false }),
    detail: t.field({ type: ImageDetailEnum, required: false }),
    cacheControl: t.boolean({ required: false, description: 'Mark a prompt-cache breakpoint (providers that support it).' }),
  }),
});

const ToolCallInput = builder.inputType('ToolCallInput', {
  fields: (t) => ({
    id: t.string({ required: true }),
    name: t.string({ required: true }),
    arguments: t.string({ required: true, description: 'The arguments as a JSON string.' }),
  }),
});

const ReasoningBlockInput = builder.inputType('ReasoningBlockInput', {
  description: 'Reasoning returned by an earlier turn, sent back as it came (with its signature).',
  fields: (t) => ({
    text: t.string({ required: false }),
    signature: t.string({ required: false }),
    redactedData: t.string({ required: false }),
  }),
});

const MessageInput = builder.inputType('MessageInput', {
  fields: (t) => ({
    role: t.field({ type: RoleEnum, required: true }),
    content: t.string({ required: false, description: 'Plain text content.' }),
    parts: t.field({ type: [ContentPartInput], required: false, description: 'Content parts (user messages): text and images.' }),
    toolCalls: t.field({ type: [ToolCallInput], required: false, description: 'Assistant messages: the tool calls it made.' }),
    toolCallId: t.string({ required: false, description: 'Tool messages: the call this result answers.' }),
    name: t.string({ required: false, description: 'Tool messages: the tool name.' }),
    isError: t.boolean({ required: false, description: 'Tool messages: the result is an error.' }),
    reasoning: t.field({ type: [ReasoningBlockInput], required: false }),
  }),
});

const ToolInput = builder.inputType('ToolInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string({ required: false }),
    parameters: t.field({ type: 'JSON', required: true, description: 'JSON Schema of the arguments object.' }),
    strict: t.boolean({ required: false }),
  }),
});

const ToolChoiceInput = builder.inputType('ToolChoiceInput', {
  description: 'Either a mode or a tool name to force.',
  fields: (t) => ({
    mode: t.field({ type: ToolChoiceModeEnum, required: false }),
    name: t.string({ required: false }),
  }),
});

const ResponseFormatInput = builder.inputType('ResponseFormatInput', {
  fields: (t) => ({
    type: t.field({ type: ResponseFormatTypeEnum, required: true }),
    name: t.string({ required: false }),
    schema: t.field({ type: 'JSON', required: false }),
    strict: t.boolean({ required: false }),
    description: t.string({ required: false }),
  }),
});

const ReasoningInput = builder.inputType('ReasoningInput', {
  fields: (t) => ({
    effort: t.field({ type: ReasoningEffortEnum, required: false }),
    budgetTokens: t.int({ required: false }),
  }),
});

const ProviderSortEnum = builder.enumType('ProviderSort', {
  description: 'Rank deployments by price (cheapest first), latency (fastest first) or throughput (highest first).',
  values: ['PRICE', 'LATENCY', 'THROUGHPUT'] as const,
});

const MaxPriceInput = builder.inputType('MaxPriceInput', {
  description: 'The most to pay, in USD per 1M tokens; dearer deployments (and those without a known price) are skipped.',
  fields: (t) => ({
    input: t.field({ type: 'Money', required: false }),
    output: t.field({ type: 'Money', required: false }),
  }),
});

const RoutingInput = builder.inputType('RoutingInput', {
  description: "Provider preferences with OpenRouter's `provider` semantics, and the request's deadline.",
  fields: (t) => ({
    order: t.stringList({ required: false, description: 'Provider ids to try first, in this order.' }),
    only: t.stringList({ required: false, description: 'Only these provider ids may serve the request.' }),
    ignore: t.stringList({ required: false, description: 'These provider ids may not serve the request.' }),
    allowFallbacks: t.boolean({
      required: false,
      description: 'Default true. When false, only the providers in `order` are used (or only the first choice without `order`).',
    }),
    sort: t.field({ type: ProviderSortEnum, required: false, description: "Replaces the model group's strategy." }),
    maxPrice: t.field({ type: MaxPriceInput, required: false }),
    requireParameters: t.boolean({
      required: false,
      description: 'Only deployments whose model supports every feature used (tools, JSON schema, images, reasoning); otherwise unsupported parameters are dropped with a warning.',
    }),
    timeoutMs: t.int({ required: false, description: 'The whole request, retries and fallbacks included.' }),
  }),
});

export const ChatCompletionInput = builder.inputType('ChatCompletionInput', {
  fields: (t) => ({
    model: t.string({ required: true, description: 'A configured model name or a catalog id `provider/model`.' }),
    models: t.stringList({ required: false, description: 'Fallback models tried in order after `model`.' }),
    routing: t.field({ type: RoutingInput, required: false, description: 'Which deployments may serve the request, in which order.' }),
    messages: t.field({ type: [MessageInput], required: true }),
    tools: t.field({ type: [ToolInput], required: false }),
    toolChoice: t.field({ type: ToolChoiceInput, required: false }),
    parallelToolCalls: t.boolean({ required: false }),
    responseFormat: t.field({ type: ResponseFormatInput, required: false }),
    reasoning: t.field({ type: ReasoningInput, required: false }),
    temperature: t.float({ required: false }),
    topP: t.float({ required: false }),
    maxOutputTokens: t.int({ required: false }),
    stop: t.stringList({ required: false }),
    seed: t.int({ required: false }),
    user: t.string({ required: false, description: 'Your end-user id, for attribution and budgets.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'String key/value pairs passed to providers that take them.' }),
    cache: t.field({ type: CacheInput, required: false }),
  }),
});

export type ChatCompletionInputShape = typeof ChatCompletionInput.$inferInput;

function invalid(message: string): never {
  throw new InvalidRequestError(message);
}

function toMessage(input: ChatCompletionInputShape['messages'][number], index: number): Message {
  const where = `messages[${index}]`;
  switch (input.role) {
    case 'SYSTEM':
      if (typeof input.content !== 'string') invalid(`${where}.content: a system message needs text content`);
      return { role: 'system', content: input.content };
    case 'USER': {
      const parts: ContentPart[] = [];
      if (input.content != null) parts.push({ type: 'text', text: input.content });
      for (const [partIndex, part] of (input.parts ?? []).entries()) {
        const partWhere = `${where}.parts[${partIndex}]`;
        if (part.type === 'TEXT') {
          if (part.text == null) invalid(`${partWhere}.text: required for TEXT parts`);
          parts.push({ type: 'text', text: part.text, ...(part.cacheControl ? { cacheControl: { type: 'ephemeral' } } : {}) });
        } else {
          if (part.imageUrl == null && part.imageData == null) invalid(`${partWhere}: an IMAGE part needs imageUrl or imageData`);
          if (part.imageData != null && part.mediaType == null) invalid(`${partWhere}.mediaType: required with imageData`);
          parts.push({
            type: 'image',
            ...(part.imageUrl != null ? { url: part.imageUrl } : {}),
            ...(part.imageData != null ? { data: part.imageData } : {}),
            ...(part.mediaType != null ? { mediaType: part.mediaType } : {}),
            ...(part.detail != null ? { detail: part.detail.toLowerCase() as 'auto' | 'low' | 'high' } : {}),
          });
        }
      }
      if (parts.length === 0) invalid(`${where}: a user message needs content or parts`);
      return { role: 'user', content: parts };
    }
    case 'ASSISTANT': {
      const reasoning: ReasoningBlock[] = (input.reasoning ?? []).map((block) =>
        block.redactedData != null
          ? { type: 'redacted', data: block.redactedData }
          : { type: 'thinking', text: block.text ?? '', ...(block.signature != null ? { signature: block.signature } : {}) },
      );
      return {
        role: 'assistant',
        content: input.content ?? null,
        ...(input.toolCalls?.length ? { toolCalls: input.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
        ...(reasoning.length ? { reasoning } : {}),
      };
    }
    case 'TOOL':
      if (input.toolCallId == null) invalid(`${where}.toolCallId: required for tool messages`);
      if (input.content == null) invalid(`${where}.content: required for tool messages`);
      return {
        role: 'tool',
        toolCallId: input.toolCallId,
        content: input.content,
        ...(input.name != null ? { name: input.name } : {}),
        ...(input.isError ? { isError: true } : {}),
      };
  }
}

function toToolChoice(input: NonNullable<ChatCompletionInputShape['toolChoice']>): ToolChoice {
  if (input.name != null) return { name: input.name };
  if (input.mode == null) invalid('toolChoice: give a mode or a name');
  return input.mode.toLowerCase() as 'auto' | 'none' | 'required';
}

function toResponseFormat(input: NonNullable<ChatCompletionInputShape['responseFormat']>): ResponseFormat {
  if (input.type === 'TEXT') return { type: 'text' };
  if (input.type === 'JSON_OBJECT') return { type: 'json_object' };
  if (input.schema == null || typeof input.schema !== 'object' || Array.isArray(input.schema)) {
    invalid('responseFormat.schema: a JSON_SCHEMA response format needs a JSON Schema object');
  }
  return jsonSchemaFormat({ name: input.name ?? 'response', schema: input.schema as Record<string, unknown>, strict: input.strict, description: input.description });
}

function toRouting(input: NonNullable<ChatCompletionInputShape['routing']>): RoutingPreferences {
  if (input.timeoutMs != null && input.timeoutMs < 1) invalid('routing.timeoutMs: must be at least 1');
  const maxPrice: NonNullable<RoutingPreferences['maxPrice']> = {};
  if (input.maxPrice?.input != null) maxPrice.input = parseUsd(input.maxPrice.input);
  if (input.maxPrice?.output != null) maxPrice.output = parseUsd(input.maxPrice.output);
  return {
    ...(input.order != null ? { order: input.order } : {}),
    ...(input.only != null ? { only: input.only } : {}),
    ...(input.ignore != null ? { ignore: input.ignore } : {}),
    ...(input.allowFallbacks != null ? { allowFallbacks: input.allowFallbacks } : {}),
    ...(input.sort != null ? { sort: input.sort.toLowerCase() as 'price' | 'latency' | 'throughput' } : {}),
    ...(input.maxPrice != null ? { maxPrice } : {}),
    ...(input.requireParameters != null ? { requireParameters: input.requireParameters } : {}),
    ...(input.timeoutMs != null ? { timeoutMs: input.timeoutMs } : {}),
  };
}

/**
 * Validates the input's shape and builds the core request; problems become INVALID_REQUEST errors.
 * The parameters' own rules (ranges, tool-call JSON) are the core's (core/requests/chat-parameters.ts).
 */
export function toCompletionRequest(input: ChatCompletionInputShape): CompletionRequest {
  if (input.messages.length === 0) invalid('messages: at least one message is required');
  // Kept on usage records and budgets: bounded like the REST edges' (core/input-limits.ts).
  checkBoundedText('model', input.model, INPUT_LIMITS.modelNameLength);
  for (const [index, model] of (input.models ?? []).entries()) checkBoundedText(`models[${index}]`, model, INPUT_LIMITS.modelNameLength);
  if (input.user != null) checkBoundedText('user', input.user, INPUT_LIMITS.endUserLength);
  let metadata: Record<string, string> | undefined;
  if (input.metadata != null) {
    if (typeof input.metadata !== 'object' || Array.isArray(input.metadata)) invalid('metadata: must be an object of strings');
    metadata = { ...checkMetadata('metadata', input.metadata as Record<string, unknown>) };
  }
  const tools = input.tools?.map((tool, index) => {
    if (tool.parameters == null || typeof tool.parameters !== 'object' || Array.isArray(tool.parameters)) {
      invalid(`tools[${index}].parameters: must be a JSON Schema object`);
    }
    return {
      name: tool.name,
      parameters: tool.parameters as Record<string, unknown>,
      ...(tool.description != null ? { description: tool.description } : {}),
      ...(tool.strict != null ? { strict: tool.strict } : {}),
    };
  });
  const cache = toCacheDirectives(input.cache);
  return {
    model: input.model,
    ...(input.models?.length ? { fallbackModels: input.models } : {}),
    ...(cache ? { cache } : {}),
    ...(input.routing ? { routing: toRouting(input.routing) } : {}),
    parameters: {
      messages: input.messages.map(toMessage),
      ...(tools?.length ? { tools } : {}),
      ...(input.toolChoice ? { toolChoice: toToolChoice(input.toolChoice) } : {}),
      ...(input.parallelToolCalls != null ? { parallelToolCalls: input.parallelToolCalls } : {}),
      ...(input.responseFormat ? { responseFormat: toResponseFormat(input.responseFormat) } : {}),
      ...(input.reasoning
        ? {
            reasoning: {
              ...(input.reasoning.effort ? { effort: input.reasoning.effort.toLowerCase() as 'minimal' | 'low' | 'medium' | 'high' } : {}),
              ...(input.reasoning.budgetTokens != null ? { budgetTokens: input.reasoning.budgetTokens } : {}),
            },
          }
        : {}),
      ...(input.temperature != null ? { temperature: input.temperature } : {}),
      ...(input.topP != null ? { topP: input.topP } : {}),
      ...(input.maxOutputTokens != null ? { maxOutputTokens: input.maxOutputTokens } : {}),
      ...(input.stop?.length ? { stop: input.stop } : {}),
      ...(input.seed != null ? { seed: input.seed } : {}),
      ...(input.user != null ? { user: input.user } : {}),
      ...(metadata ? { metadata } : {}),
    },
  };
}
