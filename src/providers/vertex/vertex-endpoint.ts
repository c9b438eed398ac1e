// Vertex AI endpoints, following the Vertex AI REST reference (projects.locations.publishers.models)
// and its "locations" page: a regional endpoint is https://{location}-aiplatform.googleapis.com, the
// global one is https://aiplatform.googleapis.com (no location prefix).

export const defaultVertexLocation = 'global';

export function vertexBaseUrl(location: string): string {
  return location === 'global' ? 'https://aiplatform.googleapis.com/v1' : `https://${location}-aiplatform.googleapis.com/v1`;
}

export interface VertexModelAddress {
  /** `https://…/v1`, or a test server's base URL. */
  baseUrl: string;
  project: string;
  location: string;
  /** "google" for Gemini, "anthropic" for Claude. */
  publisher: string;
}

/**
 * `{base}/projects/{p}/locations/{l}/publishers/{publisher}/models/{model}:{method}`. A model given as
 * a full resource name (`projects/…`, e.g. a tuned-model endpoint) is used as is.
 */
export function vertexModelUrl(address: VertexModelAddress, model: string, method: string): string {
  const resource = model.startsWith('projects/')
    ? model
    : `projects/${address.project}/locations/${address.location}/publishers/${address.publisher}/models/${model}`;
  return `${address.baseUrl.replace(/\/+$/, '')}/${resource}:${method}`;
}
