// POST /v1/chat/completions: Chat Completions in, the same CompletionService as GraphQL, Chat
// Completions out (JSON or SSE).
import { cacheFields } from '../shared/cache-directives.ts';
import { describeZodError } from '../shared/describe-zod-error.ts';
import { generationIdHeader } from '../shared/header-names.ts';
import { meteringFields } from '../shared/rate-limit-headers.ts';
import type { RestEndpoint, RestServices } from '../shared/rest-exchange.ts';
import { streamCompletionEvents } from '../shared/stream-completion-events.ts';
import { writeJson } from '../shared/write-json.ts';
import { buildOpenAIChatCompletion } from './build-openai-chat-completion.ts';
import { convertOpenAIChatRequest } from './convert-openai-chat-request.ts';
import { openAIChatRequestSchema } from './openai-chat-request-schema.ts';
import { createOpenAIChunkEncoder } from './openai-chunk-encoder.ts';

export function createChatCompletionsEndpoint(services: RestServices): RestEndpoint {
  return async (exchange) => {
    const parsed = openAIChatRequestSchema.safeParse(exchange.body);
    if (!parsed.success) throw describeZodError(parsed.error);
    const { completion, stream } = convertOpenAIChatRequest(parsed.data);
    const request = {
      ...completion,
      ...(exchange.caller ? { caller: exchange.caller } : {}),
      ...meteringFields(exchange, services.clock),
      ...cacheFields(exchange.request, exchange.response, exchange.body, { bodyField: true }),
    };
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
