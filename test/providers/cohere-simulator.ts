// A Cohere Chat API v2 upstream (POST /v2/chat) speaking each Scenario in Cohere's wire format:
// the chat response JSON, the named-event SSE stream of the streaming guide (message-start,
// content-start/-delta/-end, tool-plan-delta, tool-call-start/-delta/-end, message-end with
// finish_reason and usage), and `{"id","message"}` error bodies. Usage carries both billed_units
// (the scenario's numbers) and the larger processed `tokens` count, as Cohere's does.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { writeEventsUntilClientCloses } from '../helpers/provider-simulator-stream.ts';
import { sleep, splitInto, startSimulatorServer, writeSse } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { isCohereEmbeddingsRoute, respondToCohereEmbeddings } from './cohere-embeddings-simulator.ts';

/** Tokens Cohere adds to the prompt (template, special tokens) that are processed but not billed. */
export const cohereTemplateTokens = 196;

const finishReasonByFinish = { stop: 'COMPLETE', length: 'MAX_TOKENS', content_filter: 'ERROR' } as const;

type WireEvent = Record<string, unknown> & { type: string };
type AnswerScenario = Extract<Scenario, { kind: 'text' } | { kind: 'tool-calls' }>;

export function startCohereSimulator(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '',
    async respond({ request, scenario, response, onClientClose }) {
      if (isCohereEmbeddingsRoute(request)) {
        return respondToCohereEmbeddings({ request, scenario, response, onClientClose }, (status, message, retryAfterSeconds) =>
          writeError(response, status, message, retryAfterSeconds),
        );
      }
      const refusal = validate(request);
      if (refusal !== undefined) {
        writeError(response, refusal.status, refusal.message);
        return;
      }
      const stream = (request.body as { stream?: boolean }).stream === true;
      const id = randomUUID();
      switch (scenario.kind) {
        case 'error': {
          const message = scenario.contextLength ? `too many tokens: ${scenario.message}` : scenario.message;
          writeError(response, scenario.status, message, scenario.retryAfterSeconds);
          return;
        }
        case 'cut': {
          startStream(response);
          for (const event of streamEvents(id, { kind: 'text', chunks: scenario.chunks, usage: { input: 1, output: 1 } })) {
            if (event.type === 'content-end') break;
            writeSse(response, JSON.stringify(event), event.type);
          }
          await sleep(20);
          response.socket?.destroy();
          return;
        }
        case 'hang': {
          startStream(response);
          for (const event of streamEvents(id, { kind: 'text', chunks: [scenario.chunks?.[0] ?? 'Hello'], usage: { input: 1, output: 1 } })) {
            writeSse(response, JSON.stringify(event), event.type);
            if (event.type === 'content-delta') break;
          }
          // Never ends: the test waits for the client to close the connection.
          onClientClose(() => response.destroy());
          return;
        }
        default: {
          if (!stream) {
            writeJson(response, 200, wholeResponse(id, scenario));
            return;
          }
          startStream(response);
          await writeEventsUntilClientCloses(response, streamEvents(id, scenario), {
            write: (event) => writeSse(response, JSON.stringify(event), event.type),
            onClientClose,
            gapMs: scenario.kind === 'text' ? (scenario.gapMs ?? 0) : 0,
          });
        }
      }
    },
  });
}

/** The checks the real API makes first, so a malformed request fails loudly. */
function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST' || request.url !== '/v2/chat') return { status: 404, message: `Not Found: ${request.method} ${request.url}` };
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !/^Bearer \S+$/.test(authorization)) return { status: 401, message: 'no api key supplied' };
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'invalid request: body must be JSON' };
  if (typeof body.model !== 'string') return { status: 400, message: 'invalid request: model must be a string' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) return { status: 400, message: 'invalid request: messages cannot be empty' };
  if ('max_completion_tokens' in body || 'stream_options' in body) return { status: 400, message: 'invalid request: unknown field' };
  return undefined;
}

const toolPlan = (scenario: Extract<Scenario, { kind: 'tool-calls' }>) => `I will call ${scenario.calls.map((call) => call.name).join(' and ')}.`;

function wholeResponse(id: string, scenario: AnswerScenario): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) content.push({ type: 'thinking', thinking: scenario.reasoningChunks.join('') });
  const text = (scenario.chunks ?? []).join('');
  if (text.length > 0) content.push({ type: 'text', text });
  const message: Record<string, unknown> = { role: 'assistant', ...(content.length > 0 ? { content } : {}) };
  if (scenario.kind === 'tool-calls') {
    message.tool_plan = toolPlan(scenario);
    message.tool_calls = scenario.calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  return { id, message, finish_reason: finishReasonOf(scenario), usage: usageOf(scenario.usage) };
}

function streamEvents(id: string, scenario: AnswerScenario): WireEvent[] {
  const events: WireEvent[] = [
    { id, type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } },
  ];
  let index = 0;
  const block = (kind: 'thinking' | 'text', chunks: string[]) => {
    events.push({ type: 'content-start', index, delta: { message: { content: { type: kind, [kind]: '' } } } });
    for (const chunk of chunks) events.push({ type: 'content-delta', index, delta: { message: { content: { [kind]: chunk } } } });
    events.push({ type: 'content-end', index });
    index++;
  };
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) block('thinking', scenario.reasoningChunks);
  if (scenario.kind === 'tool-calls') {
    for (const piece of toolPlan(scenario).split(/(?<= )/)) events.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: piece } } });
  }
  if ((scenario.chunks ?? []).length > 0) block('text', scenario.chunks ?? []);
  if (scenario.kind === 'tool-calls') {
    scenario.calls.forEach((call, callIndex) => {
      events.push({
        type: 'tool-call-start',
        index: callIndex,
        delta: { message: { tool_calls: { id: call.id, type: 'function', function: { name: call.name, arguments: '' } } } },
      });
      for (const piece of splitInto(call.arguments, Math.max(2, scenario.argumentPieces ?? 2))) {
        events.push({ type: 'tool-call-delta', index: callIndex, delta: { message: { tool_calls: { function: { arguments: piece } } } } });
      }
      events.push({ type: 'tool-call-end', index: callIndex });
    });
  }
  events.push({ type: 'message-end', delta: { finish_reason: finishReasonOf(scenario), usage: usageOf(scenario.usage) } });
  return events;
}

function finishReasonOf(scenario: AnswerScenario): string {
  return scenario.kind === 'tool-calls' ? 'TOOL_CALL' : finishReasonByFinish[scenario.finish ?? 'stop'];
}

/** Billed units are the scenario's numbers; processed tokens add Cohere's own template tokens. */
function usageOf(usage: ScenarioUsage): Record<string, unknown> {
  return {
    billed_units: { input_tokens: usage.input, output_tokens: usage.output },
    tokens: { input_tokens: usage.input + cohereTemplateTokens, output_tokens: usage.output + 1 },
    ...(usage.cachedInput === undefined ? {} : { cached_tokens: usage.cachedInput }),
  };
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': randomUUID() });
}

function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function writeError(response: ServerResponse, status: number, message: string, retryAfterSeconds?: number): void {
  writeJson(response, status, { id: randomUUID(), message }, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
}
