// An OpenAI Responses API upstream (POST /v1/responses) speaking each Scenario in that wire
// format (OpenAI API reference, "Responses" and "Streaming events"): the response object with
// reasoning (summary + encrypted_content), message and function_call output items; the typed
// event stream with sequence numbers, `event:` names and a terminal response.completed or
// response.incomplete; and OpenAI's `{"error":{...}}` bodies.
import type { ServerResponse } from 'node:http';
import { sleep, splitInto, startSimulatorServer } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';

let sequence = 0;
/** The opaque reasoning the simulator returns, so a test can see it sent back. */
export const simulatedEncryptedReasoning = 'gAAAAABsimulated-encrypted-reasoning';

function usageWire(usage: ScenarioUsage) {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cachedInput ?? 0 },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
    total_tokens: usage.input + usage.output,
  };
}

type Answer = Extract<Scenario, { kind: 'text' | 'tool-calls' }>;

function outputItems(scenario: Answer, id: string): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  if (scenario.kind === 'text' && scenario.reasoningChunks) {
    items.push({ id: `rs_${id}`, type: 'reasoning', summary: [{ type: 'summary_text', text: scenario.reasoningChunks.join('') }], encrypted_content: simulatedEncryptedReasoning });
  }
  const text = (scenario.chunks ?? []).join('');
  if (scenario.kind === 'text' || text !== '') {
    items.push({ id: `msg_${id}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] });
  }
  if (scenario.kind === 'tool-calls') {
    for (const [index, call] of scenario.calls.entries()) {
      items.push({ id: `fc_${id}_${index}`, type: 'function_call', status: 'completed', call_id: call.id, name: call.name, arguments: call.arguments });
    }
  }
  return items;
}

function responseObject(scenario: Answer, id: string, model: string, status: 'in_progress' | 'completed' | 'incomplete', withOutput: boolean) {
  const incomplete = scenario.kind === 'text' && scenario.finish !== undefined && scenario.finish !== 'stop';
  const reason = scenario.kind === 'text' && scenario.finish === 'content_filter' ? 'content_filter' : 'max_output_tokens';
  return {
    id: `resp_${id}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: status === 'completed' && incomplete ? 'incomplete' : status,
    incomplete_details: status !== 'in_progress' && incomplete ? { reason } : null,
    error: null,
    model,
    output: withOutput ? outputItems(scenario, id) : [],
    usage: withOutput ? usageWire(scenario.usage) : null,
  };
}

export function startOpenAIResponsesSimulator(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '/v1',
    async respond({ request, scenario, response, onClientClose }) {
      const refusal = validate(request);
      if (refusal !== undefined) return writeError(response, refusal.status, refusal.message);
      const body = request.body as { model: string; stream?: boolean };
      const id = `sim${String(++sequence).padStart(20, '0')}`;
      let closed = false;
      onClientClose(() => {
        closed = true;
      });
      let number = 0;
      const send = (event: Record<string, unknown>) => response.write(`event: ${String(event['type'])}\ndata: ${JSON.stringify({ ...event, sequence_number: number++ })}\n\n`);

      switch (scenario.kind) {
        case 'error':
          return writeError(response, scenario.status, scenario.message, scenario.contextLength === true, scenario.retryAfterSeconds);
        case 'text':
        case 'tool-calls': {
          const finished = responseObject(scenario, id, body.model, 'completed', true);
          if (body.stream !== true) {
            response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(finished));
            return;
          }
          startStream(response);
          send({ type: 'response.created', response: responseObject(scenario, id, body.model, 'in_progress', false) });
          send({ type: 'response.in_progress', response: responseObject(scenario, id, body.model, 'in_progress', false) });
          for (const [outputIndex, item] of outputItems(scenario, id).entries()) {
            if (closed) return;
            const added = item['type'] === 'function_call' ? { ...item, arguments: '', status: 'in_progress' } : item['type'] === 'message' ? { ...item, content: [] } : { ...item, summary: [], encrypted_content: null };
            send({ type: 'response.output_item.added', output_index: outputIndex, item: added });
            if (item['type'] === 'reasoning' && scenario.kind === 'text') {
              send({ type: 'response.reasoning_summary_part.added', item_id: item['id'], output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } });
              for (const delta of scenario.reasoningChunks ?? []) send({ type: 'response.reasoning_summary_text.delta', item_id: item['id'], output_index: outputIndex, summary_index: 0, delta });
            }
            if (item['type'] === 'message') {
              send({ type: 'response.content_part.added', item_id: item['id'], output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
              for (const delta of scenario.chunks ?? []) {
                send({ type: 'response.output_text.delta', item_id: item['id'], output_index: outputIndex, content_index: 0, delta, logprobs: [] });
                if (scenario.kind === 'text' && scenario.gapMs) await sleep(scenario.gapMs);
              }
            }
            if (item['type'] === 'function_call' && scenario.kind === 'tool-calls') {
              for (const delta of splitInto(String(item['arguments']), scenario.argumentPieces ?? 2)) {
                send({ type: 'response.function_call_arguments.delta', item_id: item['id'], output_index: outputIndex, delta });
              }
            }
            send({ type: 'response.output_item.done', output_index: outputIndex, item });
          }
          send({ type: finished.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response: finished });
          response.end();
          return;
        }
        case 'cut': {
          startStream(response);
          send({ type: 'response.created', response: { id: `resp_${id}`, object: 'response', status: 'in_progress', model: body.model, output: [] } });
          send({ type: 'response.output_item.added', output_index: 0, item: { id: `msg_${id}`, type: 'message', role: 'assistant', content: [] } });
          for (const delta of scenario.chunks) send({ type: 'response.output_text.delta', item_id: `msg_${id}`, output_index: 0, content_index: 0, delta });
          await sleep(20);
          response.socket?.destroy();
          return;
        }
        case 'hang': {
          startStream(response);
          send({ type: 'response.created', response: { id: `resp_${id}`, object: 'response', status: 'in_progress', model: body.model, output: [] } });
          send({ type: 'response.output_text.delta', item_id: `msg_${id}`, output_index: 0, content_index: 0, delta: scenario.chunks?.[0] ?? 'first' });
          return;
        }
      }
    },
  });
}

function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST' || !request.url.startsWith('/v1/responses')) return { status: 404, message: `Invalid URL (${request.method} ${request.url})` };
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) return { status: 401, message: "You didn't provide an API key." };
  const body = request.body as { model?: unknown; input?: unknown; messages?: unknown } | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'We could not parse the JSON body of your request.' };
  if (typeof body.model !== 'string') return { status: 400, message: 'Missing required parameter: model.' };
  if (body.messages !== undefined) return { status: 400, message: "Unknown parameter: 'messages'." };
  if (!Array.isArray(body.input) && typeof body.input !== 'string') return { status: 400, message: "Missing required parameter: 'input'." };
  return undefined;
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

function writeError(response: ServerResponse, status: number, message: string, contextLength = false, retryAfterSeconds?: number): void {
  const code = contextLength ? 'context_length_exceeded' : status === 401 ? 'invalid_api_key' : status === 404 ? 'model_not_found' : status === 429 ? 'rate_limit_exceeded' : null;
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }) };
  response.writeHead(status, headers).end(JSON.stringify({ error: { message, type, param: null, code } }));
}
