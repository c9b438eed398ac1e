// Claude on Vertex AI takes the Messages API body with two changes (Anthropic's "Claude on Vertex
// AI" guide): the model is named in the URL, not the body, and `anthropic_version` travels in the
// body, set to "vertex-2023-10-16", instead of as a header.
import type { ChatRequest } from '../../core/types.ts';
import { buildAnthropicRequest, type AnthropicRequestBody } from '../anthropic/build-anthropic-request.ts';

export const vertexAnthropicVersion = 'vertex-2023-10-16';

export type VertexAnthropicRequestBody = Omit<AnthropicRequestBody, 'model'> & { anthropic_version: string };

export function buildVertexAnthropicRequest(request: ChatRequest, options: { stream: boolean }): VertexAnthropicRequestBody {
  const { model: _model, ...body } = buildAnthropicRequest(request, options);
  return { anthropic_version: vertexAnthropicVersion, ...body };
}
