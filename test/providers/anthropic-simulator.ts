// An Anthropic Messages API upstream (POST /v1/messages) speaking each Scenario in Anthropic's
// wire format: message JSON, the named-event SSE stream of the "Streaming Messages" doc and
// the {"type":"error","error":{...}} bodies of the "Errors" doc. Usage is converted back to
// Anthropic's convention, where input_tokens excludes cache reads and writes.
// POST /v1/messages/count_tokens answers a text or tool-calls scenario with its usage.input as
// `{"input_tokens": N}`, and an error scenario with the error.
import type { ServerResponse } from 'node:http';
import { writeEventsUntilClientCloses } from '../helpers/provider-simulator-stream.ts';
import { sleep, splitInto, startSimulatorServer, writeSse } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';

const errorTypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const stopReasonByFinish = { stop: 'end_turn', length: 'max_tokens', content_filter: 'refusal' } as const;

let sequence = 0;
const messageId = () => `msg_01Sim${String(++sequence).padStart(20, '0')}`;
const requestId = () => `req_01Sim${String(sequence).padStart(20, '0')}`;
/** Signatures are opaque base64 to the client. */
const signatureFor = (text: string) => Buffer.from(`sig:${text}`).toString('base64');

interface WireBlock {
  type: string;
  [key: string]: unknown;
}

export function startAnthropicSimulator(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '/v1',
    async respond({ request, scenario, response, onClientClose }) {
      if (request.url.split('?')[0] === countTokensPath) {
        await respondToCountTokens(request, scenario, response);
        return;
      }
      const refusal = validate(request);
      if (refusal !== undefined) {
        writeError(response, refusal.status, refusal.message);
        return;
      }
      const body = request.body as { model: string; stream?: boolean };
      const model = body.model;
      const stream = body.stream === true;

      switch (scenario.kind) {
        case 'error': {
          const message =
            scenario.contextLength === true && !/prompt is too long/i.test(scenario.message)
              ? `prompt is too long: ${scenario.message}`
              : scenario.message;
          writeError(response, scenario.status, message, scenario.retryAfterSeconds);
          return;
        }
        case 'text':
        case 'tool-calls': {
          const blocks = contentBlocks(scenario);
          const stopReason =
            scenario.kind === 'tool-calls' ? 'tool_use' : stopReasonByFinish[scenario.finish ?? 'stop'];
          if (!stream) {
            writeJson(response, 200, {
              id: messageId(),
              type: 'message',
              role: 'assistant',
              model,
              content: blocks.map((b) => b.final),
              stop_reason: stopReason,
              stop_sequence: null,
              usage: { ...inputUsage(scenario.usage), ...outputUsage(scenario.usage) },
            });
            return;
          }
          startStream(response);
          await writeEventsUntilClientCloses(response, streamEvents(model, blocks, stopReason, scenario.usage), {
            write: (event) => writeSse(response, JSON.stringify(event), event.type as string),
            onClientClose,
            gapMs: scenario.kind === 'text' ? (scenario.gapMs ?? 0) : 0,
          });
          return;
        }
        case 'cut': {
          if (!stream) {
            // Half a message body, then the connection drops.
            response.writeHead(200, { 'content-type': 'application/json' });
            response.write('{"id":"msg_01Cut","type":"message","role":"assistant","content":[{"type":"text","text":"');
            await sleep(20);
            response.socket?.destroy();
            return;
          }
          startStream(response);
          // Everything up to the end of the text, then no content_block_stop, message_delta or message_stop.
          for (const event of streamEvents(model, [textBlock(scenario.chunks)], 'end_turn', { input: 1, output: 1 })) {
            if (event.type === 'content_block_stop' || event.type === 'message_delta') break;
            writeSse(response, JSON.stringify(event), event.type as string);
          }
          await sleep(20);
          response.socket?.destroy();
          return;
        }
        case 'hang': {
          if (!stream) {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.flushHeaders();
            return;
          }
          startStream(response);
          const first = scenario.chunks?.[0] ?? 'Hello';
          // message_start, content_block_start, ping and one text delta.
          for (const event of streamEvents(model, [textBlock([first])], 'end_turn', { input: 1, output: 1 })) {
            writeSse(response, JSON.stringify(event), event.type as string);
            if (event.type === 'content_block_delta') break;
          }
          // Never ends: the test waits for the client to close the connection.
          return;
        }
      }
    },
  });
}

const countTokensPath = '/v1/messages/count_tokens';
/** The body parameters of "Count tokens in a Message"; the API refuses any other. */
const countTokensFields = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'output_config', 'cache_control', 'speed']);

async function respondToCountTokens(request: RecordedRequest, scenario: Scenario, response: ServerResponse): Promise<void> {
  const refusal = validateCountTokens(request);
  if (refusal !== undefined) {
    writeError(response, refusal.status, refusal.message);
    return;
  }
  switch (scenario.kind) {
    case 'error':
      writeError(response, scenario.status, scenario.message, scenario.retryAfterSeconds);
      return;
    case 'text':
    case 'tool-calls':
      writeJson(response, 200, { input_tokens: scenario.usage.input });
      return;
    case 'cut':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"input_tok');
      await sleep(20);
      response.socket?.destroy();
      return;
    case 'hang':
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      return;
  }
}

function validateCountTokens(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST') return { status: 404, message: `Not Found: ${request.method} ${request.url}` };
  const { headers } = request;
  if (headers['x-api-key'] === undefined && headers['authorization'] === undefined) {
    return { status: 401, message: 'x-api-key header is required' };
  }
  if (headers['anthropic-version'] === undefined) return { status: 400, message: 'anthropic-version: header is required' };
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'The request body is not valid JSON' };
  const extra = Object.keys(body).find((field) => !countTokensFields.has(field));
  if (extra !== undefined) return { status: 400, message: `${extra}: Extra inputs are not permitted` };
  if (typeof body['model'] !== 'string') return { status: 400, message: 'model: Field required' };
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) {
    return { status: 400, message: 'messages: at least one message is required' };
  }
  return undefined;
}

/** The checks the real API makes before anything else, so a malformed request fails loudly. */
function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST' || request.url.split('?')[0] !== '/v1/messages') {
    return { status: 404, message: `Not Found: ${request.method} ${request.url}` };
  }
  const { headers } = request;
  if (headers['x-api-key'] === undefined && headers['authorization'] === undefined) {
    return { status: 401, message: 'x-api-key header is required' };
  }
  if (headers['anthropic-version'] === undefined) {
    return { status: 400, message: 'anthropic-version: header is required' };
  }
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'The request body is not valid JSON' };
  if (typeof body['model'] !== 'string') return { status: 400, message: 'model: Field required' };
  if (typeof body['max_tokens'] !== 'number') return { status: 400, message: 'max_tokens: Field required' };
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) {
    return { status: 400, message: 'messages: at least one message is required' };
  }
  const thinking = body['thinking'] as { budget_tokens?: number } | undefined;
  if (thinking?.budget_tokens !== undefined) {
    if (thinking.budget_tokens < 1024) return { status: 400, message: 'thinking.budget_tokens: must be at least 1024' };
    if (thinking.budget_tokens >= (body['max_tokens'] as number)) {
      return { status: 400, message: '`max_tokens` must be greater than `thinking.budget_tokens`' };
    }
  }
  return undefined;
}

interface SimulatedBlock {
  /** The block as a non-streaming message holds it. */
  final: WireBlock;
  /** The block as its content_block_start holds it. */
  start: WireBlock;
  /** content_block_delta payloads, in order. */
  deltas: WireBlock[];
}

function contentBlocks(scenario: Extract<Scenario, { kind: 'text' | 'tool-calls' }>): SimulatedBlock[] {
  const blocks: SimulatedBlock[] = [];
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) {
    const thinking = scenario.reasoningChunks.join('');
    const signature = signatureFor(thinking);
    blocks.push({
      final: { type: 'thinking', thinking, signature },
      start: { type: 'thinking', thinking: '', signature: '' },
      deltas: [
        ...scenario.reasoningChunks.map((chunk) => ({ type: 'thinking_delta', thinking: chunk })),
        { type: 'signature_delta', signature },
      ],
    });
  }
  const chunks = scenario.chunks ?? [];
  if (chunks.length > 0) blocks.push(textBlock(chunks));
  if (scenario.kind === 'tool-calls') {
    for (const call of scenario.calls) {
      blocks.push({
        final: { type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown },
        start: { type: 'tool_use', id: call.id, name: call.name, input: {} },
        deltas: [
          { type: 'input_json_delta', partial_json: '' },
          ...splitInto(call.arguments, Math.max(2, scenario.argumentPieces ?? 2)).map((piece) => ({
            type: 'input_json_delta',
            partial_json: piece,
          })),
        ],
      });
    }
  }
  return blocks;
}

function textBlock(chunks: string[]): SimulatedBlock {
  return {
    final: { type: 'text', text: chunks.join('') },
    start: { type: 'text', text: '' },
    deltas: chunks.map((chunk) => ({ type: 'text_delta', text: chunk })),
  };
}

/** The whole event sequence of one streamed message. */
function streamEvents(model: string, blocks: SimulatedBlock[], stopReason: string, usage: ScenarioUsage): WireBlock[] {
  const events: WireBlock[] = [messageStart(model, usage)];
  blocks.forEach((block, index) => {
    events.push({ type: 'content_block_start', index, content_block: block.start });
    if (index === 0) events.push({ type: 'ping' });
    for (const delta of block.deltas) events.push({ type: 'content_block_delta', index, delta });
    events.push({ type: 'content_block_stop', index });
  });
  events.push({
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { ...inputUsage(usage), ...outputUsage(usage) },
  });
  events.push({ type: 'message_stop' });
  return events;
}

function messageStart(model: string, usage: ScenarioUsage): WireBlock {
  return {
    type: 'message_start',
    message: {
      id: messageId(),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...inputUsage(usage), output_tokens: 1 },
    },
  };
}

/** Anthropic's input side: input_tokens counts only what was neither read from nor written to the cache. */
function inputUsage(usage: ScenarioUsage) {
  const cacheRead = usage.cachedInput ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  return {
    input_tokens: usage.input - cacheRead - cacheWrite,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

function outputUsage(usage: ScenarioUsage) {
  return {
    output_tokens: usage.output,
    ...(usage.reasoning === undefined ? {} : { output_tokens_details: { thinking_tokens: usage.reasoning } }),
  };
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': requestId(),
  });
}

function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId(), ...headers });
  response.end(JSON.stringify(body));
}

function writeError(response: ServerResponse, status: number, message: string, retryAfterSeconds?: number): void {
  const type = errorTypeByStatus[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  writeJson(
    response,
    status,
    { type: 'error', error: { type, message }, request_id: requestId() },
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
  );
}
