// Server-sent events parser following the WHATWG "event stream interpretation" rules:
// lines end in LF, CR or CRLF; `:` lines are comments; `data:` lines join with "\n";
// a blank line dispatches the event. Chunk boundaries may fall anywhere, even inside a
// multi-byte character.

export interface SseEvent {
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export async function* parseSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  let sawCarriageReturnAtEnd = false;

  const takeLine = (line: string): SseEvent | undefined => {
    if (line === '') {
      const dispatched = data.length > 0 ? { event, data: data.join('\n'), id } : undefined;
      data = [];
      event = undefined;
      return dispatched;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
    return undefined;
  };

  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    // A CR that ended the last chunk may pair with an LF that starts this one; a chunk that
    // decodes to nothing (empty, or part of a character) must not forget the CR.
    if (sawCarriageReturnAtEnd && buffer.length > 0) {
      if (buffer.charCodeAt(0) === 10) buffer = buffer.slice(1);
      sawCarriageReturnAtEnd = false;
    }
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer.charCodeAt(i);
      if (ch !== 10 && ch !== 13) continue;
      const dispatched = takeLine(buffer.slice(start, i));
      if (dispatched) yield dispatched;
      if (ch === 13) {
        if (i + 1 < buffer.length) {
          if (buffer.charCodeAt(i + 1) === 10) i++;
        } else {
          sawCarriageReturnAtEnd = true;
        }
      }
      start = i + 1;
    }
    buffer = buffer.slice(start);
  }
  buffer += decoder.decode();
  if (buffer.length > 0) {
    const dispatched = takeLine(buffer);
    if (dispatched) yield dispatched;
  }
  // An event not terminated by a blank line is discarded per the spec.
}
