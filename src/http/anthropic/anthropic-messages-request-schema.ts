// The Messages API request body (Anthropic API reference, "Messages"; guides "Tool use",
// "Vision", "Extended thinking", "Structured outputs"). Only the fields the gateway reads are
// declared; unknown ones are dropped. Block types the core cannot carry (documents, server tools)
// are refused by name.
import { z } from 'zod';
import { endUserIdSchema, modelNameSchema } from '../shared/bounded-text-schema.ts';

const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().nullish() }).nullish();

export const textBlockSchema = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
    z.object({ type: z.literal('url'), url: z.string().min(1) }),
  ]),
  cache_control: cacheControl,
});

const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlockSchema, imageBlock]))]).nullish(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});

const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() });
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() });

const unsupportedBlock = <Type extends string>(type: Type) =>
  z.object({ type: z.literal(type) }).refine(() => false, `"${type}" blocks are not supported by this gateway`);

export const contentBlockSchema = z.discriminatedUnion('type', [
  textBlockSchema,
  imageBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
  unsupportedBlock('document'),
  unsupportedBlock('search_result'),
  unsupportedBlock('server_tool_use'),
  unsupportedBlock('web_search_tool_result'),
]);

const message = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

const tool = z
  .object({
    type: z.string().nullish(),
    name: z.string().min(1),
    description: z.string().nullish(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
    cache_control: cacheControl,
  })
  .superRefine((value, context) => {
    if (value.type != null && value.type !== 'custom') {
      context.addIssue({ code: 'custom', path: ['type'], message: `server tools ("${value.type}") are not supported; give custom tools with an input_schema` });
    } else if (value.input_schema === undefined) {
      context.addIssue({ code: 'custom', path: ['input_schema'], message: 'required: the JSON Schema of the tool input' });
    }
  });

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().nullish() }),
  z.object({ type: z.literal('none') }),
]);

const effort = z.enum(['low', 'medium', 'high', 'xhigh', 'max']);
const jsonSchemaFormat = z.object({ type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()) });

export const anthropicMessagesRequestSchema = z.object({
  model: modelNameSchema,
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1, 'at least one message is required'),
  system: z.union([z.string(), z.array(textBlockSchema)]).nullish(),
  metadata: z.object({ user_id: endUserIdSchema.nullish() }).nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  stream: z.boolean().nullish(),
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  thinking: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
      z.object({ type: z.literal('disabled') }),
      z.object({ type: z.literal('adaptive') }),
    ])
    .nullish(),
  output_config: z.object({ effort: effort.nullish(), format: jsonSchemaFormat.nullish() }).nullish(),
  /** The structured-outputs beta's spelling of output_config.format. */
  output_format: jsonSchemaFormat.nullish(),
});

/**
 * POST /v1/messages/count_tokens takes the same prompt fields; max_tokens is not required (nor
 * counted), and generation settings sent along are read and ignored.
 */
export const anthropicCountTokensRequestSchema = anthropicMessagesRequestSchema.extend({ max_tokens: z.number().int().positive().nullish() });

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;
export type AnthropicCountTokensRequest = z.infer<typeof anthropicCountTokensRequestSchema>;
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;
