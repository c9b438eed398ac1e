// Server-sent events parser following the WHATWG "event stream interpretation" rules:
// lines end in LF, CR or CRLF; `:` lines are comments; `data:` lines join with "\n";
// a blank line dispatches the event. Chunk boundaries may fall anywhere, even inside a
// multi-byte character or between the CR and LF of a CRLF.

export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * A push decoder: bytes in as they arrive, the events they complete out, synchronously, so a
 * stream pays one async step per read rather than one per event. An event the stream ends
 * before dispatching is discarded (per the spec), so there is nothing to flush at the end.
 */
export class SseDecoder {
  // Strips a leading byte-order mark and holds a character split across chunks.
  private readonly text = new TextDecoder();
  /** The start of a line whose end has not arrived yet. */
  private buffer = '';
  /** The data lines of the event being read, joined with "\n"; undefined before the first. */
  private data: string | undefined = undefined;
  private event: string | undefined = undefined;
  /** The last event id; it carries over to later events, as the spec's "last event ID" does. */
  private id: string | undefined = undefined;
  /** The last chunk ended in CR, so an LF that starts the next one ends no line of its own. */
  private carriageReturnAtEnd = false;

  /** The events that this chunk completes, in order. */
  push(chunk: Uint8Array): SseEvent[] {
    const events: SseEvent[] = [];
    const decoded = this.text.decode(chunk, { stream: true });
    // A chunk that decodes to nothing (empty, or part of a character) must not forget the CR.
    if (decoded.length === 0) return events;
    const text = this.buffer.length === 0 ? decoded : this.buffer + decoded;
    let start = 0;
    if (this.carriageReturnAtEnd) {
      this.carriageReturnAtEnd = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    // Native searches for both line endings; CR rarely occurs, so its search mostly runs once.
    let lineFeed = text.indexOf('\n', start);
    let carriageReturn = text.indexOf('\r', start);
    while (lineFeed !== -1 || carriageReturn !== -1) {
      let end: number;
      let next: number;
      if (carriageReturn === -1 || (lineFeed !== -1 && lineFeed < carriageReturn)) {
        end = lineFeed;
        next = lineFeed + 1;
      } else {
        end = carriageReturn;
        next = carriageReturn + 1;
        if (next === text.length) this.carriageReturnAtEnd = true;
        else if (text.charCodeAt(next) === 10) next++;
      }
      this.takeLine(text, start, end, events);
      start = next;
      if (lineFeed !== -1 && lineFeed < start) lineFeed = text.indexOf('\n', start);
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = text.indexOf('\r', start);
    }
    this.buffer = start === 0 ? text : text.slice(start);
    return events;
  }

  /** One line, `text` from `start` to `end` (exclusive), without its line ending. */
  private takeLine(text: string, start: number, end: number, events: SseEvent[]): void {
    if (start === end) {
      if (this.data !== undefined) events.push({ event: this.event, data: this.data, id: this.id });
      this.data = undefined;
      this.event = undefined;
      return;
    }
    // 58 is ':', which starts a comment.
    if (text.charCodeAt(start) === 58) return;
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon + 1;
    // One leading space is not part of the value.
    if (valueStart < end && text.charCodeAt(valueStart) === 32) valueStart++;
    const value = valueStart < end ? text.slice(valueStart, end) : '';
    const fieldLength = colon - start;
    if (fieldLength === 4 && text.startsWith('data', start)) {
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (fieldLength === 5 && text.startsWith('event', start)) {
      this.event = value;
    } else if (fieldLength === 2 && text.startsWith('id', start)) {
      this.id = value;
    }
  }
}

/** The events of a whole body, for protocols whose parsers read event by event. */
export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new SseDecoder();
  for await (const chunk of body) {
    for (const event of decoder.push(chunk)) yield event;
  }
}
