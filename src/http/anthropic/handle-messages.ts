// POST /v1/messages: the Messages API in, the same CompletionService as GraphQL (so any provider
// answers), the Messages API out (JSON or its named-event SSE stream).
import { describeZodError } from '../shared/describe-zod-error.ts';
import { generationIdHeader } from '../shared/header-names.ts';
import { meteringFields } from '../shared/rate-limit-headers.ts';
import { cacheFields } from '../shared/cache-directives.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { streamCompletionEvents } from '../shared/stream-completion-events.ts';
import { writeJson } from '../shared/write-json.ts';
import { anthropicMessagesRequestSchema } from './anthropic-messages-request-schema.ts';
import { createAnthropicEventEncoder } from './anthropic-event-encoder.ts';
import { buildAnthropicMessage } from './build-anthropic-message.ts';
import { convertAnthropicMessagesRequest } from './convert-anthropic-messages-request.ts';

export function createMessagesEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const parsed = anthropicMessagesRequestSchema.safeParse(exchange.body);
    if (!parsed.success) throw describeZodError(parsed.error);
    const { completion, stream } = convertAnthropicMessagesRequest(parsed.data);
    const request = {
      ...completion,
      ...(exchange.caller ? { caller: exchange.caller } : {}),
      ...meteringFields(exchange, services.clock),
      ...cacheFields(exchange.request, exchange.response, exchange.body, { bodyField: false }),
    };

    if (!stream) {
      const outcome = await services.completions.create(request, exchange.signal);
      writeJson(exchange.response, 200, buildAnthropicMessage(outcome), { [generationIdHeader]: outcome.generationId });
      return;
    }
    const encoder = createAnthropicEventEncoder({ model: request.model });
    await streamCompletionEvents(exchange, services.completions.stream(request, exchange.streamSignal()), encoder);
  };
}
