// POST /v1/chat/completions: Chat Completions in, the same CompletionService as GraphQL, Chat
// Completions out (JSON or SSE).
import { completionRequestOf } from '../shared/completion-request.ts';
import { generationIdHeader } from '../shared/header-names.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { streamCompletionEvents } from '../shared/stream-completion-events.ts';
import { writeJson } from '../shared/write-json.ts';
import { buildOpenAIChatCompletion } from './build-openai-chat-completion.ts';
import { convertOpenAIChatRequest } from './convert-openai-chat-request.ts';
import { openAIChatRequestSchema } from './openai-chat-request-schema.ts';
import { createOpenAIChunkEncoder } from './openai-chunk-encoder.ts';

export function createChatCompletionsEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const { request, stream } = completionRequestOf(exchange, services, openAIChatRequestSchema, convertOpenAIChatRequest, { bodyField: true });
    const created = Math.floor(services.clock.now() / 1000);

    if (!stream) {
      const outcome = await services.completions.create(request, exchange.signal);
      writeJson(exchange.response, 200, buildOpenAIChatCompletion(outcome, created), { [generationIdHeader]: outcome.generationId });
      return;
    }
    const encoder = createOpenAIChunkEncoder({ created, model: request.model });
    await streamCompletionEvents(exchange, services.completions.stream(request, exchange.streamSignal()), encoder);
  };
}
