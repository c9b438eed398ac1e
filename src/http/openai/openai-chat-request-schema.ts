// The Chat Completions request body (OpenAI API reference, "Create chat completion") plus
// OpenRouter's `models`, `provider` and `reasoning` extensions. Only the fields the gateway reads
// are declared; others are dropped, as clients send provider-specific extras. Every optional
// field also takes null, which SDKs send for "unset".
import { z } from 'zod';
import { endUserIdSchema, metadataSchema, modelNameSchema } from '../shared/bounded-text-schema.ts';
import { providerPreferencesSchema } from './openrouter-provider-preferences.ts';

const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.string().nullish() }).nullish();

const textPart = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).nullish() }),
});
const unsupportedPart = <Type extends string>(type: Type) =>
  z.object({ type: z.literal(type) }).refine(() => false, `"${type}" content parts are not supported by this gateway`);

const userPart = z.discriminatedUnion('type', [textPart, imagePart, unsupportedPart('input_audio'), unsupportedPart('file')]);
const textOnlyContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').nullish(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

/** OpenRouter's reasoning_details, as it returns them, so signed reasoning can be sent back. */
const reasoningDetail = z.union([
  z.object({ type: z.literal('reasoning.text'), text: z.string().nullish(), signature: z.string().nullish() }),
  z.object({ type: z.literal('reasoning.encrypted'), data: z.string() }),
  z.object({ type: z.literal('reasoning.summary'), summary: z.string() }),
]);

const message = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: textOnlyContent }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userPart).min(1)]) }),
  z.object({
    role: z.literal('assistant'),
    content: z
      .union([z.string(), z.array(z.union([textPart, z.object({ type: z.literal('refusal'), refusal: z.string() })]))])
      .nullish(),
    tool_calls: z.array(toolCall).nullish(),
    reasoning_details: z.array(reasoningDetail).nullish(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textOnlyContent }),
  z.object({ role: z.literal('function') }).refine(() => false, 'the deprecated "function" role is not supported; use "tool" messages'),
]);

const tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({
      name: z.string().min(1),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
      description: z.string().nullish(),
    }),
  }),
]);

export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']);

export const openAIChatRequestSchema = z.object({
  model: modelNameSchema.nullish(),
  messages: z.array(message).min(1, 'at least one message is required'),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  reasoning_effort: reasoningEffortSchema.nullish(),
  /** OpenRouter's unified reasoning options. */
  reasoning: z
    .object({
      effort: reasoningEffortSchema.nullish(),
      max_tokens: z.number().int().positive().nullish(),
      enabled: z.boolean().nullish(),
    })
    .nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  seed: z.number().int().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().min(1).max(1, 'only one choice (n = 1) is supported').nullish(),
  user: endUserIdSchema.nullish(),
  metadata: metadataSchema.nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  /** OpenRouter: models tried in order after `model`. */
  models: z.array(modelNameSchema).nullish(),
  provider: providerPreferencesSchema,
});

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
export type OpenAIChatMessage = OpenAIChatRequest['messages'][number];
export type WireEffort = z.infer<typeof reasoningEffortSchema>;
