import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

/** bedrock: AWS region and IAM credentials for SigV4 (without them, `apiKey` is a Bedrock API key). */
export const bedrockSettingsSchema = z
  .object({
    ...commonSettingsShape,
    kind: z.literal('bedrock'),
    region: z.string().optional(),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    sessionToken: z.string().optional(),
  })
  .strict();

export type BedrockSettings = z.infer<typeof bedrockSettingsSchema>;

/** Bedrock's region and, when given, IAM credentials (else the API key is a Bedrock API key). */
export function bedrockOptions(settings: BedrockSettings) {
  if (!settings.region) throw new Error(`bedrock provider ${settings.id} needs a region`);
  return {
    region: settings.region,
    ...(settings.accessKeyId && settings.secretAccessKey
      ? {
          credentials: {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
            ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}),
          },
        }
      : {}),
  };
}
