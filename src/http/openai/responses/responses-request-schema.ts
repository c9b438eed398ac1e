// The Responses API request body (OpenAI API reference, "Create a model response"). Only the fields
// the gateway reads are declared; unknown fields are dropped, as with Chat Completions. Fields the
// gateway cannot honour (built-in tools, conversations, background mode) are refused by name.
// Input items are also what stored responses are read back with, so a stored conversation is
// parsed by the same schema as a client's.
import { z } from 'zod';
import { endUserIdSchema, metadataSchema, modelNameSchema } from '../../shared/bounded-text-schema.ts';
import { reasoningEffortSchema } from '../openai-chat-request-schema.ts';

const refused = (what: string, why: string) => z.unknown().refine(() => false, `${what} ${why}`);

const inputText = z.object({ type: z.literal('input_text'), text: z.string() });
const inputImage = z.object({
  type: z.literal('input_image'),
  image_url: z.string().min(1, 'an image_url is required (file_id is not supported by this gateway)'),
  detail: z.enum(['auto', 'low', 'high']).nullish(),
});
const unsupportedPart = <Type extends string>(type: Type) =>
  z.object({ type: z.literal(type) }).refine(() => false, `"${type}" content parts are not supported by this gateway`);
const inputPart = z.discriminatedUnion('type', [inputText, inputImage, unsupportedPart('input_file'), unsupportedPart('input_audio')]);

const outputText = z.object({ type: z.literal('output_text'), text: z.string() });
const refusal = z.object({ type: z.literal('refusal'), refusal: z.string() });

/** A message item, as an easy input message (`{ role, content }`) or a typed one. */
const messageItem = z.discriminatedUnion('role', [
  z.object({ type: z.literal('message').optional(), role: z.literal('user'), content: z.union([z.string(), z.array(inputPart)]) }),
  z.object({ type: z.literal('message').optional(), role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(inputText)]) }),
  z.object({
    type: z.literal('message').optional(),
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [outputText, refusal, inputText]))]),
  }),
]);

const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});

const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(z.discriminatedUnion('type', [inputText, inputImage]))]),
});

const reasoningItem = z.object({
  type: z.literal('reasoning'),
  summary: z.array(z.object({ type: z.literal('summary_text'), text: z.string() })).default([]),
  encrypted_content: z.string().nullish(),
});

const typedItem = z.discriminatedUnion('type', [
  functionCallItem,
  functionCallOutputItem,
  reasoningItem,
  z.object({ type: z.literal('item_reference') }).refine(() => false, 'item references are not supported by this gateway; use previous_response_id or send the items'),
]);

export const responsesInputItemSchema = z.union([messageItem, typedItem]);

const functionTool = z.object({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** Built-in tools are OpenAI's own services; no provider behind the gateway runs them. */
const tool = z
  .object({ type: z.string() })
  .passthrough()
  .superRefine((value, context) => {
    if (value.type !== 'function') {
      context.addIssue({ code: 'custom', path: ['type'], message: `the built-in tool "${value.type}" is not supported by this gateway; only function tools are` });
    }
  })
  .pipe(functionTool);

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), name: z.string().min(1) }),
]);

const textFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    name: z.string().min(1),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
    description: z.string().nullish(),
  }),
]);

export const responsesRequestSchema = z.object({
  model: modelNameSchema,
  input: z.union([z.string(), z.array(responsesInputItemSchema)]).nullish(),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: toolChoice.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: textFormat.nullish(), verbosity: z.enum(['low', 'medium', 'high']).nullish() }).nullish(),
  reasoning: z
    .object({ effort: reasoningEffortSchema.nullish(), summary: z.enum(['auto', 'concise', 'detailed']).nullish() })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  metadata: metadataSchema.nullish(),
  user: endUserIdSchema.nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  include: z.array(z.string()).nullish(),
  truncation: z.enum(['auto', 'disabled']).nullish(),
  conversation: refused('conversation', 'objects are not supported by this gateway; use previous_response_id').optional(),
  background: z.literal(false, 'background responses are not supported by this gateway').nullish(),
  prompt: refused('prompt', 'templates are not supported by this gateway').optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesInputItem = z.infer<typeof responsesInputItemSchema>;
export type ResponsesTool = z.infer<typeof functionTool>;
export type ResponsesTextFormat = z.infer<typeof textFormat>;
