// What both Vertex AI adapters take, and how their endpoint and credentials are resolved. A missing
// project or credential is a configuration mistake, reported with a plain Error when the adapter is built.
import { systemClock, type Clock } from '../../core/ports.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { serviceAccountTokenSource, staticAccessToken, type AccessTokenSource } from './google-access-token.ts';
import { parseServiceAccountKey, type ServiceAccountKey } from './service-account-key.ts';
import { defaultVertexLocation, vertexBaseUrl } from './vertex-endpoint.ts';

export interface VertexAdapterOptions extends Omit<AdapterOptions, 'apiKey'> {
  /** The Google Cloud project; defaults to the service-account key's project_id. */
  project?: string;
  /** A region such as "us-central1", or "global" (the default). */
  location?: string;
  /** A ready OAuth access token (e.g. `gcloud auth print-access-token`); used as is, never refreshed. */
  accessToken?: string;
  /** A service-account key, parsed or as its JSON text; access tokens are minted from it and cached. */
  serviceAccountKey?: ServiceAccountKey | string;
  /** The clock for token expiry and assertion times; injected by tests. */
  clock?: Clock;
}

export interface VertexSetup {
  baseUrl: string;
  project: string;
  location: string;
  tokens: AccessTokenSource;
}

export function resolveVertexSetup(options: VertexAdapterOptions): VertexSetup {
  const key = options.serviceAccountKey === undefined ? undefined : parseServiceAccountKey(options.serviceAccountKey);
  const project = options.project ?? key?.project_id;
  if (project === undefined) throw new Error(`Vertex AI provider ${options.providerId} needs a project (or a service-account key that names one)`);
  const location = options.location ?? defaultVertexLocation;
  let tokens: AccessTokenSource;
  if (options.accessToken !== undefined) tokens = staticAccessToken(options.accessToken);
  else if (key !== undefined) tokens = serviceAccountTokenSource({ key, http: options.http, clock: options.clock ?? systemClock, providerId: options.providerId });
  else throw new Error(`Vertex AI provider ${options.providerId} needs an access token or a service-account key`);
  return { baseUrl: options.baseUrl ?? vertexBaseUrl(location), project, location, tokens };
}
