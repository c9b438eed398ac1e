import type { ServerResponse } from 'node:http';
import { sleep } from './simulator-server.ts';

export interface StreamWriting<Event> {
  write(event: Event): void | Promise<void>;
  onClientClose(callback: () => void): void;
  /** A pause after each event (a scenario's gapMs). */
  gapMs: number;
}

/** Writes a simulator's stream events and ends the response, stopping quietly once the client has closed the connection. */
export async function writeEventsUntilClientCloses<Event>(response: ServerResponse, events: Iterable<Event>, writing: StreamWriting<Event>): Promise<void> {
  let closed = false;
  writing.onClientClose(() => {
    closed = true;
  });
  for (const event of events) {
    if (closed) return;
    await writing.write(event);
    if (writing.gapMs > 0) await sleep(writing.gapMs);
  }
  response.end();
}
