import { describe, expect, it } from 'vitest';
import { SseDecoder, type SseEvent } from '../../src/providers/shared/sse.ts';

const encoder = new TextEncoder();

/** The events of a whole body given in these chunks. */
async function parse(chunks: Uint8Array[]): Promise<SseEvent[]> {
  const decoder = new SseDecoder();
  const events: SseEvent[] = [];
  for (const chunk of chunks) decoder.push(chunk, events);
  return events;
}

const parseText = (text: string) => parse([encoder.encode(text)]);

/** Every way of cutting the bytes in two, plus one chunk per byte. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [];
  for (let at = 0; at <= bytes.length; at++) ways.push([bytes.slice(0, at), bytes.slice(at)]);
  ways.push(Array.from(bytes, (byte) => Uint8Array.of(byte)));
  return ways;
}

const event = (data: string, extra: Partial<SseEvent> = {}): SseEvent => ({ event: undefined, id: undefined, data, ...extra });

describe('SSE parsing', () => {
  it('parses data-only events as OpenAI sends them', async () => {
    expect(await parseText('data: {"a":1}\n\ndata: [DONE]\n\n')).toEqual([event('{"a":1}'), event('[DONE]')]);
  });

  it('reads event names and ids, and resets the name after each event', async () => {
    const text = 'event: message_start\nid: 7\ndata: {"x":1}\n\ndata: plain\n\n';
    expect(await parseText(text)).toEqual([event('{"x":1}', { event: 'message_start', id: '7' }), event('plain', { id: '7' })]);
  });

  it('joins multi-line data with newlines', async () => {
    expect(await parseText('data: first\ndata: second\ndata:\ndata: fourth\n\n')).toEqual([event('first\nsecond\n\nfourth')]);
  });

  it('strips one leading space only, and takes a line without a colon as a field with an empty value', async () => {
    expect(await parseText('data:  two spaces\n\ndata:none\n\ndata\n\n')).toEqual([event(' two spaces'), event('none'), event('')]);
  });

  it('skips comment lines, including the keep-alives providers send', async () => {
    const text = ': OPENROUTER PROCESSING\n\n:ping\ndata: a\n: in between\ndata: b\n\n';
    expect(await parseText(text)).toEqual([event('a\nb')]);
  });

  it('ignores unknown fields and blank lines with no data', async () => {
    expect(await parseText('retry: 1000\nfoo: bar\n\n\n\ndata: x\n\n')).toEqual([event('x')]);
  });

  it('accepts CRLF, CR and LF line endings alike', async () => {
    const expected = [event('one', { event: 'e' }), event('two\nthree')];
    expect(await parseText('event: e\r\ndata: one\r\n\r\ndata: two\r\ndata: three\r\n\r\n')).toEqual(expected);
    expect(await parseText('event: e\rdata: one\r\rdata: two\rdata: three\r\r')).toEqual(expected);
    expect(await parseText('event: e\ndata: one\r\n\ndata: two\rdata: three\n\r\n')).toEqual(expected);
  });

  it('discards an event the stream ends before dispatching', async () => {
    expect(await parseText('data: done\n\ndata: cut')).toEqual([event('done')]);
    expect(await parseText('data: done\n\ndata: cut\n')).toEqual([event('done')]);
  });

  it('strips a leading byte-order mark', async () => {
    expect(await parse([Uint8Array.of(0xef, 0xbb, 0xbf), encoder.encode('data: x\n\n')])).toEqual([event('x')]);
  });

  it('gives the same events wherever the chunks break, even inside a multi-byte character', async () => {
    const text = 'event: delta\r\ndata: {"text":"héllo wörld ✓ 𝄞 日本"}\r\n\r\n: comment\rdata: a\rdata: b\r\rdata: ü\n\n';
    const bytes = encoder.encode(text);
    const expected = await parse([bytes]);
    expect(expected).toEqual([event('{"text":"héllo wörld ✓ 𝄞 日本"}', { event: 'delta' }), event('a\nb'), event('ü')]);
    for (const chunks of splits(bytes)) {
      expect(await parse(chunks), chunks.map((c) => c.length).join('+')).toEqual(expected);
    }
  });

  it('gives the same events when a CRLF is split by an empty chunk', async () => {
    const chunks = ['data: a\r', '', '\ndata: b\r\n\r\n'].map((text) => encoder.encode(text));
    expect(await parse(chunks)).toEqual([event('a\nb')]);
  });

  it('gives the same events for every three-way split around CRLF pairs, empty chunks included', async () => {
    const bytes = encoder.encode('data: x\r\ndata: z\r\n\r\ndata: y\r\n\r\n');
    const expected = [event('x\nz'), event('y')];
    for (let first = 0; first <= bytes.length; first++) {
      for (let second = first; second <= bytes.length; second++) {
        const chunks = [bytes.slice(0, first), bytes.slice(first, second), bytes.slice(second)];
        expect(await parse(chunks), `${first}/${second}`).toEqual(expected);
      }
    }
  });
});

describe('SseDecoder', () => {
  /** The events each push returned, one list per chunk. */
  const pushEach = (chunks: Uint8Array[]): SseEvent[][] => {
    const decoder = new SseDecoder();
    return chunks.map((chunk) => decoder.push(chunk));
  };
  const bytes = (text: string) => encoder.encode(text);

  it('returns every event a chunk completes, in order, from that push', () => {
    expect(pushEach([bytes('data: a\n\ndata: b\n\nevent: e\ndata: c\n\ndata: d'), bytes('\n\n')])).toEqual([
      [event('a'), event('b'), event('c', { event: 'e' })],
      [event('d')],
    ]);
  });

  it('holds a line until its end arrives, and the CR of a CRLF split across chunks ends one line only', () => {
    expect(pushEach([bytes('data: a\r'), bytes('\n'), bytes('\r'), bytes('\n')])).toEqual([[], [], [event('a')], []]);
    // A CR alone at the end of a chunk, followed by another CR: a line end, then a blank line.
    expect(pushEach([bytes('data: a\r'), bytes('\rdata: b\n\n')])).toEqual([[], [event('a'), event('b')]]);
  });

  it('holds a multi-byte character split across chunks', () => {
    const text = bytes('data: 𝄞\n\n');
    // 𝄞 is four bytes from offset 6; cut after its second byte.
    expect(pushEach([text.slice(0, 8), text.slice(8)])).toEqual([[], [event('𝄞')]]);
  });

  it('gives the same events wherever the chunks break, each from the push of the chunk holding its dispatching line end', () => {
    const text = 'data: {"n":1}\r\n\r\n: keep-alive\ndata: é\rdata: 日本\r\rid: 3\ndata: [DONE]\n\n';
    const all = bytes(text);
    const expected = [event('{"n":1}'), event('é\n日本'), event('[DONE]', { id: '3' })];
    // The byte that ends each event's blank line: a CR dispatches without waiting for an LF.
    const dispatchedAt = [bytes('data: {"n":1}\r\n').length, bytes('data: {"n":1}\r\n\r\n: keep-alive\ndata: é\rdata: 日本\r').length, all.length - 1];
    for (const chunks of splits(all)) {
      const label = chunks.map((c) => c.length).join('+');
      const expectedPerChunk: SseEvent[][] = chunks.map(() => []);
      let offset = 0;
      chunks.forEach((chunk, index) => {
        dispatchedAt.forEach((at, n) => {
          if (at >= offset && at < offset + chunk.length) expectedPerChunk[index]!.push(expected[n]!);
        });
        offset += chunk.length;
      });
      expect(pushEach(chunks), label).toEqual(expectedPerChunk);
    }
  });
});
