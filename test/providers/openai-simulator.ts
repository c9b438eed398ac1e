// An OpenAI Chat Completions upstream (POST /v1/chat/completions) speaking each Scenario in
// OpenAI's wire format: the chat.completion object, the chat.completion.chunk SSE stream with a
// trailing usage chunk (`choices: []`) and `data: [DONE]`, and `{"error":{...}}` bodies
// (OpenAI API reference, "Create chat completion", "The chat completion chunk object",
// "Error codes"). Streams also carry an SSE comment and an empty-choices chunk, as proxies and
// OpenRouter send, so clients are exercised on them.
import type { ServerResponse } from 'node:http';
import { sleep, splitInto, startSimulatorServer, writeSse } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { isOpenAIEmbeddingsRoute, respondToOpenAIEmbeddings } from './openai-embeddings-simulator.ts';

let sequence = 0;
const completionId = () => `chatcmpl-Sim${String(++sequence).padStart(26, '0')}`;
const created = () => Math.floor(Date.now() / 1000);
const systemFingerprint = 'fp_sim0001';

interface ErrorShape {
  type: string;
  code: string | null;
  param: string | null;
}

function errorShape(status: number, contextLength: boolean): ErrorShape {
  if (contextLength) return { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' };
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key', param: null };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found', param: null };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded', param: null };
  if (status >= 500) return { type: 'server_error', code: null, param: null };
  return { type: 'invalid_request_error', code: null, param: null };
}

function usageWire(usage: ScenarioUsage) {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cachedInput ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoning ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

interface RequestBody {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
}

export function startOpenAISimulator(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '/v1',
    async respond({ request, scenario, response, onClientClose }) {
      if (isOpenAIEmbeddingsRoute(request)) {
        return respondToOpenAIEmbeddings({ request, scenario, response, onClientClose }, (status, message, retryAfterSeconds) =>
          writeError(response, status, message, errorShape(status, false), retryAfterSeconds),
        );
      }
      const refusal = validate(request);
      if (refusal !== undefined) {
        writeError(response, refusal.status, refusal.message, errorShape(refusal.status, false));
        return;
      }
      const body = request.body as RequestBody;
      const model = String(body.model);
      const stream = body.stream === true;
      const includeUsage = body.stream_options?.include_usage === true;
      let closed = false;
      onClientClose(() => {
        closed = true;
      });

      switch (scenario.kind) {
        case 'error':
          writeError(response, scenario.status, scenario.message, errorShape(scenario.status, scenario.contextLength === true), scenario.retryAfterSeconds);
          return;
        case 'text':
        case 'tool-calls': {
          const finish = scenario.kind === 'tool-calls' ? 'tool_calls' : (scenario.finish ?? 'stop');
          const id = completionId();
          if (!stream) {
            writeJson(response, 200, {
              id,
              object: 'chat.completion',
              created: created(),
              model,
              choices: [{ index: 0, message: finalMessage(scenario), finish_reason: finish, logprobs: null }],
              usage: usageWire(scenario.usage),
              service_tier: 'default',
              system_fingerprint: systemFingerprint,
            });
            return;
          }
          const chunk = (choices: unknown[], usage: unknown = null) =>
            JSON.stringify({
              id,
              object: 'chat.completion.chunk',
              created: created(),
              model,
              service_tier: 'default',
              system_fingerprint: systemFingerprint,
              choices,
              ...(includeUsage ? { usage } : {}),
            });
          const delta = (value: Record<string, unknown>, finishReason: string | null = null) =>
            chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finishReason }]);
          const gapMs = scenario.kind === 'text' ? (scenario.gapMs ?? 0) : 0;
          const events = [delta({ role: 'assistant', content: '', refusal: null }), ...contentEvents(scenario, delta)];
          // An empty-choices chunk mid-stream, as Azure sends its content-filter results.
          events.splice(1, 0, chunk([]));

          startStream(response);
          response.write(': OPENROUTER PROCESSING\n\n');
          for (const event of events) {
            if (closed) return;
            writeSse(response, event);
            if (gapMs > 0) await sleep(gapMs);
          }
          writeSse(response, delta({}, finish));
          if (includeUsage) writeSse(response, chunk([], usageWire(scenario.usage)));
          writeSse(response, '[DONE]');
          response.end();
          return;
        }
        case 'cut': {
          const id = completionId();
          const delta = (value: Record<string, unknown>) =>
            JSON.stringify({ id, object: 'chat.completion.chunk', created: created(), model, choices: [{ index: 0, delta: value, logprobs: null, finish_reason: null }] });
          startStream(response);
          writeSse(response, delta({ role: 'assistant', content: '' }));
          for (const text of scenario.chunks) writeSse(response, delta({ content: text }));
          // Let the bytes leave before the connection drops mid-stream.
          await sleep(20);
          response.socket?.destroy();
          return;
        }
        case 'hang': {
          const id = completionId();
          startStream(response);
          const first = scenario.chunks?.[0] ?? 'first';
          writeSse(
            response,
            JSON.stringify({ id, object: 'chat.completion.chunk', created: created(), model, choices: [{ index: 0, delta: { role: 'assistant', content: first }, logprobs: null, finish_reason: null }] }),
          );
          // Never ends: the client has to go away.
          return;
        }
      }
    },
  });
}

function finalMessage(scenario: Extract<Scenario, { kind: 'text' | 'tool-calls' }>) {
  const text = (scenario.chunks ?? []).join('');
  if (scenario.kind === 'tool-calls') {
    return {
      role: 'assistant',
      content: text === '' ? null : text,
      refusal: null,
      annotations: [],
      tool_calls: scenario.calls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return {
    role: 'assistant',
    content: text,
    refusal: null,
    annotations: [],
    ...(scenario.reasoningChunks ? { reasoning_content: scenario.reasoningChunks.join('') } : {}),
  };
}

/** The delta events between the role chunk and the finish chunk. */
function contentEvents(
  scenario: Extract<Scenario, { kind: 'text' | 'tool-calls' }>,
  delta: (value: Record<string, unknown>) => string,
): string[] {
  const events: string[] = [];
  if (scenario.kind === 'text') {
    for (const text of scenario.reasoningChunks ?? []) events.push(delta({ reasoning_content: text }));
  }
  for (const text of scenario.chunks ?? []) events.push(delta({ content: text }));
  if (scenario.kind === 'tool-calls') {
    // OpenAI streams parallel calls one after another: the first piece names the call, the
    // following pieces carry only arguments.
    for (const [index, call] of scenario.calls.entries()) {
      events.push(delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
      for (const piece of splitInto(call.arguments, scenario.argumentPieces ?? 2)) {
        events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    }
  }
  return events;
}

/** What the real API refuses before looking at the model. */
function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST' || !request.url.startsWith('/v1/chat/completions')) {
    return { status: 404, message: `Invalid URL (${request.method} ${request.url})` };
  }
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) {
    return {
      status: 401,
      message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.",
    };
  }
  const body = request.body as RequestBody | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'We could not parse the JSON body of your request.' };
  if (typeof body.model !== 'string') return { status: 400, message: 'you must provide a model parameter' };
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return { status: 400, message: "Invalid 'messages': empty array. Expected an array with minimum length 1." };
  }
  if (body.stream_options != null && body.stream !== true) {
    return { status: 400, message: "The 'stream_options' parameter is only allowed when 'stream' is enabled." };
  }
  return undefined;
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `req_sim${sequence}`,
  });
}

function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_sim${sequence}`, ...headers });
  response.end(JSON.stringify(body));
}

function writeError(response: ServerResponse, status: number, message: string, shape: ErrorShape, retryAfterSeconds?: number): void {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  writeJson(response, status, { error: { message, type: shape.type, param: shape.param, code: shape.code } }, headers);
}
