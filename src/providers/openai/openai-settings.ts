import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';
import { openAICompatibleProviders, type OpenAICompatibleId } from './compatible-providers.ts';

/** The kinds served by the OpenAI adapter (Cohere's compatibility entry is superseded by the native kind). */
export type OpenAIKind = Exclude<OpenAICompatibleId, 'cohere'>;
export const OPENAI_KINDS = openAICompatibleProviders.map((provider) => provider.id).filter((id): id is OpenAIKind => id !== 'cohere') as [OpenAIKind, ...OpenAIKind[]];

export const openAISettingsSchema = z
  .object({
    ...commonSettingsShape,
    kind: z.enum(OPENAI_KINDS),
    /** Azure OpenAI api-version. */
    apiVersion: z.string().optional(),
    /**
     * OpenAI only: `responses` calls the upstream through the Responses API (POST /responses), which
     * reasoning models need to return encrypted reasoning; default `chat` (Chat Completions).
     */
    api: z.enum(['chat', 'responses']).optional(),
  })
  .strict()
  .refine((settings) => settings.api !== 'responses' || settings.kind === 'openai', {
    message: 'api: "responses" is only for kind "openai"',
    path: ['api'],
  });

export type OpenAISettings = z.infer<typeof openAISettingsSchema>;
