// A provider's settings (config file `providers[]`, stored credentials merged in): one zod schema
// per kind, owned by the kind's folder, joined here into one union on `kind`.
import { z } from 'zod';
import { anthropicSettingsSchema } from './anthropic/anthropic-settings.ts';
import { bedrockSettingsSchema } from './bedrock/bedrock-settings.ts';
import { cohereSettingsSchema } from './cohere/cohere-settings.ts';
import { geminiSettingsSchema } from './gemini/gemini-settings.ts';
import { mockSettingsSchema } from './mock/mock-settings.ts';
import { OPENAI_KINDS, openAISettingsSchema } from './openai/openai-settings.ts';
import { vertexSettingsSchema } from './vertex/vertex-settings.ts';

/** Every provider kind: the protocols and the named OpenAI-compatible providers. */
export const PROVIDER_KIND_NAMES: readonly string[] = ['anthropic', 'gemini', 'cohere', 'bedrock', 'vertex', 'vertex-anthropic', 'mock', ...OPENAI_KINDS];

export const providerSettingsSchema = z.discriminatedUnion(
  'kind',
  [anthropicSettingsSchema, geminiSettingsSchema, cohereSettingsSchema, bedrockSettingsSchema, vertexSettingsSchema, mockSettingsSchema, openAISettingsSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `expected one of ${PROVIDER_KIND_NAMES.join(', ')}; got ${JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind)}` : undefined,
  },
);

export type ProviderSettings = z.infer<typeof providerSettingsSchema>;
