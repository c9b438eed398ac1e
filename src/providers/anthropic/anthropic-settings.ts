import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

export const anthropicSettingsSchema = z.object({ ...commonSettingsShape, kind: z.literal('anthropic') }).strict();
