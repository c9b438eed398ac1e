import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { commonSettingsShape } from '../shared/common-settings.ts';

/** vertex, vertex-anthropic: project, location and either an access token or a service-account key. */
export const vertexSettingsSchema = z
  .object({
    ...commonSettingsShape,
    kind: z.enum(['vertex', 'vertex-anthropic']),
    /** The Google Cloud project (defaults to the service account's). */
    project: z.string().optional(),
    /** A region or "global" (the default). */
    location: z.string().optional(),
    /** A ready OAuth access token, used as is. */
    accessToken: z.string().optional(),
    /** A service-account key, as JSON text or as the path of its file. */
    serviceAccountJson: z.string().optional(),
    serviceAccountFile: z.string().optional(),
  })
  .strict();

export type VertexSettings = z.infer<typeof vertexSettingsSchema>;

/** Whether the settings can obtain a token (and know the project). */
export function vertexConfigured(settings: VertexSettings): boolean {
  return Boolean((settings.accessToken && settings.project) || settings.serviceAccountJson || settings.serviceAccountFile);
}

/** The Vertex adapters' own options (they take OAuth tokens, never an API key). */
export function vertexOptions(settings: VertexSettings) {
  return {
    ...(settings.project ? { project: settings.project } : {}),
    ...(settings.location ? { location: settings.location } : {}),
    ...(settings.accessToken ? { accessToken: settings.accessToken } : {}),
    ...(settings.serviceAccountJson
      ? { serviceAccountKey: settings.serviceAccountJson }
      : settings.serviceAccountFile
        ? { serviceAccountKey: readFileSync(settings.serviceAccountFile, 'utf8') }
        : {}),
  };
}
