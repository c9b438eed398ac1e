import type { ChatRequest } from '../../core/types.ts';
import { buildAnthropicRequest, type AnthropicRequestBody } from './build-anthropic-request.ts';

// ChatRequest -> the body of POST /v1/messages/count_tokens. The API reference ("Count tokens in
// a Message") takes the Messages body's prompt fields only; generation settings such as
// max_tokens, temperature or stream are not among its parameters, so they are left out.

export type AnthropicCountTokensBody = Pick<AnthropicRequestBody, 'model' | 'messages' | 'system' | 'tools' | 'tool_choice' | 'thinking' | 'output_config'>;

export function buildAnthropicCountTokensRequest(request: ChatRequest): AnthropicCountTokensBody {
  const { model, messages, system, tools, tool_choice, thinking, output_config } = buildAnthropicRequest(request, { stream: false });
  return {
    model,
    messages,
    ...(system !== undefined ? { system } : {}),
    ...(tools !== undefined ? { tools } : {}),
    ...(tool_choice !== undefined ? { tool_choice } : {}),
    ...(thinking !== undefined ? { thinking } : {}),
    ...(output_config !== undefined ? { output_config } : {}),
  };
}
