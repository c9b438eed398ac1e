import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

export const cohereSettingsSchema = z.object({ ...commonSettingsShape, kind: z.literal('cohere') }).strict();
