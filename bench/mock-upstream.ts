// A mock OpenAI Chat Completions upstream for benchmarks, run as its own process:
// POST /v1/chat/completions answers a chat.completion object, or with `"stream": true` an SSE
// stream of chat.completion.chunk events (time to first token, chunk count and gap configurable),
// a finish chunk, a usage chunk when `stream_options.include_usage` is set, and `data: [DONE]`.
// Bodies are prebuilt so the mock spends as little as possible of the load generator's core.
//   POST /__bench/config {ttftMs, chunks, gapMs, jsonDelayMs}  reconfigures it between workloads
//   GET  /__bench/stats                                       counts what it served
// Usage: node --import tsx/loader bench/mock-upstream.ts [--port N]; prints `listening <port>`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveForBenchmark } from './child-server.ts';
import { mockAnswer, mockToken } from './bench-wire.ts';

interface MockConfig {
  /** Delay before the first chunk of a stream. */
  ttftMs: number;
  /** Content chunks per stream (each carries one token). */
  chunks: number;
  /** Delay between chunks. */
  gapMs: number;
  /** Delay before a non-streaming answer. */
  jsonDelayMs: number;
}

const config: MockConfig = { ttftMs: 20, chunks: 200, gapMs: 5, jsonDelayMs: 0 };
const stats = { json: 0, streams: 0, streamsCompleted: 0, streamsAbortedByClient: 0, badRequests: 0, connections: 0 };

const created = Math.floor(Date.now() / 1000);
const jsonBody = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench0001',
    object: 'chat.completion',
    created,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: mockAnswer, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 14, completion_tokens: 18, total_tokens: 32 },
    system_fingerprint: 'fp_bench',
  }),
);

function sseEvent(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

const chunkBase = { id: 'chatcmpl-bench0002', object: 'chat.completion.chunk', created, model: 'bench-model', system_fingerprint: 'fp_bench' };
const firstChunk = Buffer.from(sseEvent({ ...chunkBase, choices: [{ index: 0, delta: { role: 'assistant', content: mockToken }, logprobs: null, finish_reason: null }] }));
const contentChunk = Buffer.from(sseEvent({ ...chunkBase, choices: [{ index: 0, delta: { content: mockToken }, logprobs: null, finish_reason: null }] }));
const finishChunk = sseEvent({ ...chunkBase, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] });

function tail(includeUsage: boolean, chunks: number): Buffer {
  const usage = includeUsage ? sseEvent({ ...chunkBase, choices: [], usage: { prompt_tokens: 14, completion_tokens: chunks, total_tokens: 14 + chunks } }) : '';
  return Buffer.from(`${finishChunk}${usage}data: [DONE]\n\n`);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

function answerJson(response: ServerResponse): void {
  stats.json++;
  const send = () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': jsonBody.length });
    response.end(jsonBody);
  };
  if (config.jsonDelayMs > 0) setTimeout(send, config.jsonDelayMs);
  else send();
}

function answerStream(response: ServerResponse, includeUsage: boolean): void {
  stats.streams++;
  const { chunks, gapMs, ttftMs } = config;
  const end = tail(includeUsage, chunks);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  // Headers go out at once, as OpenAI's do; the first token follows after ttftMs.
  response.flushHeaders();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  response.on('close', () => {
    closed = true;
    if (timer) clearTimeout(timer);
    if (!response.writableFinished) stats.streamsAbortedByClient++;
  });
  const step = () => {
    if (closed) return;
    if (sent === chunks) {
      response.end(end);
      stats.streamsCompleted++;
      return;
    }
    response.write(sent === 0 ? firstChunk : contentChunk);
    sent++;
    timer = setTimeout(step, gapMs);
  };
  timer = setTimeout(step, ttftMs);
}

const server = createServer(async (request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  try {
    if (request.method === 'POST' && path === '/v1/chat/completions') {
      const body = await readBody(request);
      let parsed: { stream?: unknown; stream_options?: { include_usage?: unknown } } = {};
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        stats.badRequests++;
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error', param: null, code: null } }));
        return;
      }
      if (parsed.stream === true) answerStream(response, parsed.stream_options?.include_usage === true);
      else answerJson(response);
      return;
    }
    if (request.method === 'POST' && path === '/__bench/config') {
      const update = JSON.parse((await readBody(request)).toString('utf8')) as Partial<MockConfig>;
      for (const key of ['ttftMs', 'chunks', 'gapMs', 'jsonDelayMs'] as const) {
        if (typeof update[key] === 'number') config[key] = update[key];
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(config));
      return;
    }
    if (request.method === 'GET' && path === '/__bench/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...stats, config }));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `no route ${request.method} ${path}`, type: 'not_found' } }));
  } catch (error) {
    if (!response.headersSent) response.writeHead(500);
    response.end(String(error));
  }
});
// Long streams and keep-alive clients: no idle cut-offs while a benchmark runs.
server.on('connection', () => stats.connections++);
server.maxRequestsPerSocket = 0;
serveForBenchmark(server, () => process.exit(0));
