// Server-sent events parser following the WHATWG "event stream interpretation" rules:
// lines end in LF, CR or CRLF; `:` lines are comments; `data:` lines join with "\n";
// a blank line dispatches the event. Chunk boundaries may fall anywhere, even inside a
// multi-byte character or between the CR and LF of a CRLF.

import { UpstreamProtocolError } from '../../core/errors.ts';
import { DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES } from './http-client.ts';

export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

/**
 * A push decoder: bytes in as they arrive, the events they complete out, synchronously, so a
 * stream pays one async step per read rather than one per event. An event the stream ends
 * before dispatching is discarded (per the spec), so there is nothing to flush at the end.
 * A line or an event longer than `maxEventLength` characters throws an UpstreamProtocolError:
 * an upstream that never ends a line must not grow the gateway's memory without bound.
 */
export class SseDecoder {
  // Strips a leading byte-order mark and holds a character split across chunks.
  private readonly text = new TextDecoder();
  /** The pieces of a line whose end has not arrived yet (joined once, when it ends). */
  private pending: string[] = [];
  private pendingLength = 0;
  /** The data lines of the event being read, joined with "\n"; undefined before the first. */
  private data: string | undefined = undefined;
  private event: string | undefined = undefined;
  /** The last event id; it carries over to later events, as the spec's "last event ID" does. */
  private id: string | undefined = undefined;
  /** The last chunk ended in CR, so an LF that starts the next one ends no line of its own. */
  private carriageReturnAtEnd = false;

  constructor(private readonly maxEventLength = DEFAULT_UPSTREAM_RESPONSE_LIMIT_BYTES) {}

  /** Appends the events that this chunk completes, in order, to `events`, and returns it. */
  push(chunk: Uint8Array, events: SseEvent[] = []): SseEvent[] {
    const text = this.text.decode(chunk, { stream: true });
    // A chunk that decodes to nothing (empty, or part of a character) must not forget the CR.
    if (text.length === 0) return events;
    let start = 0;
    if (this.carriageReturnAtEnd) {
      this.carriageReturnAtEnd = false;
      if (text.charCodeAt(0) === 10) start = 1;
    }
    // Only the new text is searched: the pending start of a line holds no line ending.
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
      if (this.pendingLength === 0) {
        // A whole line in one read is held to the limit too, whatever the read size.
        if (end - start > this.maxEventLength) this.checkLength(end - start);
        this.takeLine(text, start, end, events);
      } else {
        this.checkLength(this.pendingLength + end - start);
        const line = this.pending.join('') + text.slice(start, end);
        this.pending = [];
        this.pendingLength = 0;
        this.takeLine(line, 0, line.length, events);
      }
      start = next;
      if (lineFeed !== -1 && lineFeed < start) lineFeed = text.indexOf('\n', start);
      if (carriageReturn !== -1 && carriageReturn < start) carriageReturn = text.indexOf('\r', start);
    }
    if (start < text.length) {
      this.checkLength(this.pendingLength + text.length - start);
      this.pending.push(start === 0 ? text : text.slice(start));
      this.pendingLength += text.length - start;
    }
    return events;
  }

  private checkLength(length: number): void {
    if (length > this.maxEventLength) {
      throw new UpstreamProtocolError(`The upstream sent a stream event larger than the gateway's limit of ${this.maxEventLength} bytes (upstream.responseLimitBytes)`);
    }
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
      if (this.data !== undefined) this.checkLength(this.data.length + 1 + value.length);
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if (fieldLength === 5 && text.startsWith('event', start)) {
      this.event = value;
    } else if (fieldLength === 2 && text.startsWith('id', start)) {
      this.id = value;
    }
  }
}
