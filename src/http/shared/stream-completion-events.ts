// The service's event stream -> SSE frames of one API. Nothing is written until the first event:
// a failure before any content (unknown model, 429, bad request) is thrown so the client gets a
// real HTTP error status, as OpenAI and Anthropic do; after that, failures are in-stream events.
import type { CompletionEvent } from '../../core/completion-service.ts';
import { GatewayError } from '../../core/errors.ts';
import type { RestExchange } from './rest-exchange.ts';
import { generationIdHeader } from './header-names.ts';
import { createSseWriter, formatSseFrames, type SseFrame } from './sse-writer.ts';

/** Frames, or their SSE text already formatted (cheaper on the per-token path). */
export type EncodedFrames = SseFrame[] | string;

export interface CompletionStreamEncoder {
  /** Frames that open the stream (OpenAI's role chunk, Anthropic's message_start), with the generation id. */
  start(generationId: string): EncodedFrames;
  /** Frames for one event; `completed` and `error` frames end the stream. */
  encode(event: CompletionEvent): EncodedFrames;
}

const sseText = (frames: EncodedFrames): string => (typeof frames === 'string' ? frames : formatSseFrames(frames));

export async function streamCompletionEvents(
  exchange: RestExchange,
  events: AsyncIterable<CompletionEvent>,
  encoder: CompletionStreamEncoder,
): Promise<void> {
  const sse = createSseWriter(exchange.response);
  let generationId = '';
  try {
    // Leaving this loop early (client gone) ends the service's generator, whose finally aborts the
    // upstream call; the exchange's signal has already told it why.
    for await (const event of events) {
      if (sse.closed) break;
      if (event.type === 'started') {
        // Known before any token; the stream itself opens with the first content or terminal event.
        generationId = event.generationId;
        continue;
      }
      if (!sse.opened) {
        if (event.type === 'error') throw event.error;
        if (generationId) exchange.response.setHeader(generationIdHeader, generationId);
        sse.open();
        sse.send(sseText(encoder.start(generationId)));
      }
      // Events that arrive together (one upstream read) leave in one write at the end of the tick.
      const drained = sse.send(sseText(encoder.encode(event)));
      if (drained) await drained;
    }
  } catch (error) {
    // What is queued goes out before the caller's error handling touches the response.
    sse.flush();
    throw error;
  }
  if (!sse.opened) throw new GatewayError('INTERNAL', 'The completion stream ended without an event');
  sse.end();
}
