// A streamed response: the service's events through the Responses encoder onto SSE. A stored
// response is saved before response.completed is sent, so a client that continues the
// conversation the moment it sees the end finds it.
import type { CompletionEvent } from '../../../core/completion-service.ts';
import type { RestExchange } from '../../shared/rest-exchange.ts';
import { streamCompletionEvents } from '../../shared/stream-completion-events.ts';
import type { ResponseHeader, ResponseObject } from './response-object.ts';
import { createResponsesEventEncoder, type ResponsesEventEncoder } from './responses-event-encoder.ts';

export interface StreamResponseOptions {
  header(generationId: string): ResponseHeader;
  /** Stores the finished response; absent when it is not stored. */
  save: ((response: ResponseObject) => Promise<void>) | undefined;
}

export async function streamResponse(exchange: RestExchange, events: AsyncIterable<CompletionEvent>, options: StreamResponseOptions): Promise<void> {
  const encoder = createResponsesEventEncoder(options.header);
  const { save } = options;
  await streamCompletionEvents(exchange, save ? savedBeforeCompletion(events, encoder, save) : events, encoder);
}

async function* savedBeforeCompletion(
  events: AsyncIterable<CompletionEvent>,
  encoder: ResponsesEventEncoder,
  save: (response: ResponseObject) => Promise<void>,
): AsyncIterable<CompletionEvent> {
  for await (const event of events) {
    if (event.type === 'completed') await save(encoder.finalResponse(event.outcome));
    yield event;
  }
}
