import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

/** The mock kind: the reply text, latency and token rate. */
export const mockSettingsSchema = z
  .object({
    ...commonSettingsShape,
    kind: z.literal('mock'),
    mock: z
      .object({
        text: z.string().optional(),
        firstTokenLatencyMs: z.number().int().nonnegative().optional(),
        tokensPerSecond: z.number().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type MockSettings = z.infer<typeof mockSettingsSchema>;
