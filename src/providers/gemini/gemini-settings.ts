import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

export const geminiSettingsSchema = z.object({ ...commonSettingsShape, kind: z.literal('gemini') }).strict();
