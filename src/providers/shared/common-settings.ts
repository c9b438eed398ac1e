// The settings every provider kind takes (config file `providers[]`, stored credentials); each
// provider folder extends them with its own in a `*-settings.ts` file.
import { z } from 'zod';

export const commonSettingsShape = {
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" or "-"'),
  name: z.string().optional(),
  baseUrl: z.string().url().optional(),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
};
