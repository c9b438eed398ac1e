// Gemini models on Vertex AI: the Gemini adapter's whole mapping (Vertex's generateContent and
// streamGenerateContent take and return the same GenerateContent shapes), with Vertex's
// publisher-model URLs and an OAuth bearer token instead of an API key.
import type { ProviderAdapter } from '../../core/ports.ts';
import { createGeminiAdapter } from '../gemini/create-gemini-adapter.ts';
import { resolveVertexSetup, type VertexAdapterOptions } from './vertex-adapter-options.ts';
import { vertexModelUrl } from './vertex-endpoint.ts';

export type VertexGeminiAdapterOptions = VertexAdapterOptions & {
  /** Mints ids for function calls Gemini sent without one (see GeminiAdapterOptions). */
  toolCallId?(index: number): string;
};

export function createVertexGeminiAdapter(options: VertexGeminiAdapterOptions): ProviderAdapter {
  const { baseUrl, project, location, tokens } = resolveVertexSetup(options);
  const address = { baseUrl, project, location, publisher: 'google' };
  return createGeminiAdapter({
    providerId: options.providerId,
    http: options.http,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.toolCallId === undefined ? {} : { toolCallId: options.toolCallId }),
    buildUrl: (model, stream) => vertexModelUrl(address, model, stream ? 'streamGenerateContent?alt=sse' : 'generateContent'),
    authHeaders: async () => ({ authorization: `Bearer ${await tokens.token()}` }),
  });
}
