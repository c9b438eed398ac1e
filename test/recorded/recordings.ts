// Real recorded provider responses (test/fixtures/recorded/<provider>/, sources in SOURCES.md),
// read from their stored bytes into what the replay server writes: a status, a content type and
// the body as the chunks the upstream sent. Each source keeps its recording in its own container;
// this file only unpacks them, never rewrites what the provider sent.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface Recording {
  /** The stored file, relative to test/fixtures/recorded/. */
  source: string;
  status: number;
  contentType: string;
  /** The body as written, one write per chunk. */
  chunks: Buffer[];
  /** Whether the request that produced it asked for a stream. */
  stream: boolean;
}

const root = new URL('../fixtures/recorded/', import.meta.url);
const read = (source: string): Buffer => readFileSync(new URL(source, root));

/**
 * vercel/ai `*.chunks.txt`: one recorded stream event per line (the JSON of each SSE `data:`
 * field, as the AI SDK's test server replays them). Each line becomes one SSE event in its own
 * write; `done` appends OpenAI's `data: [DONE]` terminator when the wire has one.
 */
export function sseLinesRecording(source: string, options: { done?: boolean } = {}): Recording {
  const lines = read(source).toString('utf8').split('\n').filter((line) => line !== '');
  const events = lines.map((line) => `data: ${line}\n\n`);
  if (options.done) events.push('data: [DONE]\n\n');
  return { source, status: 200, contentType: 'text/event-stream', chunks: events.map((event) => Buffer.from(event)), stream: true };
}

/**
 * A raw SSE body as the upstream sent it (`event:` and `data:` lines), e.g. a cassette's response
 * body stored on its own; one event per write, since the source kept no chunk boundaries.
 */
export function sseBodyRecording(source: string): Recording {
  return { source, status: 200, contentType: 'text/event-stream', chunks: splitSseEvents(read(source).toString('utf8')), stream: true };
}

/** vercel/ai `*.json`: a whole non-streaming response body; `status` for recorded errors. */
export function jsonRecording(source: string, status = 200): Recording {
  return { source, status, contentType: 'application/json', chunks: [read(source)], stream: false };
}

interface CassetteInteraction {
  request: { body?: string; parsed_body?: Record<string, unknown>; uri: string };
  response: {
    status: { code: number };
    headers: Record<string, string[]>;
    body?: { string: string | Uint8Array };
    parsed_body?: unknown;
  };
}

/**
 * A VCR cassette (pydantic-ai `tests/models/cassettes/**.yaml`). Text bodies are split at SSE
 * event boundaries, AWS event streams at frame boundaries (each frame's length prefix), since the
 * cassette keeps the bytes but not how they were chunked; `parsed_body` (pydantic-ai's normalised
 * JSON bodies) is written back as JSON.
 */
export function cassetteRecording(source: string, interaction = 0): Recording {
  const cassette = parseYaml(read(source).toString('utf8')) as { interactions: CassetteInteraction[] };
  const { request, response } = cassette.interactions[interaction]!;
  const contentType = response.headers['content-type']?.[0] ?? 'application/json';
  const stream = request.uri.endsWith('-stream') || /"stream": ?true/.test(request.body ?? '') || request.parsed_body?.stream === true;
  let chunks: Buffer[];
  if (response.body !== undefined) {
    const body = response.body.string;
    if (typeof body === 'string') chunks = splitSseEvents(body);
    else chunks = splitEventStreamFrames(Buffer.from(body));
  } else {
    chunks = [Buffer.from(JSON.stringify(response.parsed_body))];
  }
  return { source, status: response.status.code, contentType, chunks, stream };
}

/** The JSON body of a cassette interaction's request: what the SDK sent and the provider answered. */
export function cassetteRequestBody(source: string, interaction: number): Record<string, unknown> {
  const cassette = parseYaml(read(source).toString('utf8')) as { interactions: CassetteInteraction[] };
  const { request } = cassette.interactions[interaction]!;
  return request.parsed_body ?? (JSON.parse(request.body ?? '{}') as Record<string, unknown>);
}

function splitSseEvents(body: string): Buffer[] {
  const events = body.split(/(?<=\n\n)/);
  return events.filter((event) => event !== '').map((event) => Buffer.from(event));
}

/** application/vnd.amazon.eventstream: each message starts with its 4-byte big-endian total length. */
export function splitEventStreamFrames(bytes: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    frames.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}
