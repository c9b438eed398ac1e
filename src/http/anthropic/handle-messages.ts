// POST /v1/messages: the Messages API in, the same CompletionService as GraphQL (so any provider
// answers), the Messages API out (JSON or its named-event SSE stream).
import { completionRequestOf } from '../shared/completion-request.ts';
import { generationIdHeader } from '../shared/header-names.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { streamCompletionEvents } from '../shared/stream-completion-events.ts';
import { writeJson } from '../shared/write-json.ts';
import { anthropicMessagesRequestSchema } from './anthropic-messages-request-schema.ts';
import { createAnthropicEventEncoder } from './anthropic-event-encoder.ts';
import { buildAnthropicMessage } from './build-anthropic-message.ts';
import { convertAnthropicMessagesRequest } from './convert-anthropic-messages-request.ts';

export function createMessagesEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const { request, stream } = completionRequestOf(exchange, services, anthropicMessagesRequestSchema, convertAnthropicMessagesRequest, { bodyField: false });

    if (!stream) {
      const outcome = await services.completions.create(request, exchange.signal);
      writeJson(exchange.response, 200, buildAnthropicMessage(outcome), { [generationIdHeader]: outcome.generationId });
      return;
    }
    const encoder = createAnthropicEventEncoder({ model: request.model });
    await streamCompletionEvents(exchange, services.completions.stream(request, exchange.streamSignal()), encoder);
  };
}
