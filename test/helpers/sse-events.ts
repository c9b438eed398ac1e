// The events of an SSE response, for tests that read the gateway's own streams as a client does.
import { SseDecoder, type SseEvent } from '../../src/providers/shared/sse.ts';

export async function* readSseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
}
