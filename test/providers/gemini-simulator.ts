// A Gemini API upstream (models.generateContent and models.streamGenerateContent?alt=sse) speaking
// the wire format exactly: GenerateContentResponse bodies, SSE events framed with CRLF, usageMetadata
// on every stream chunk (final counts on the last), and google.rpc.Status error bodies.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sleep, startSimulatorServer } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioToolCall, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { parseGeminiEmbeddingsRoute, respondToGeminiEmbeddings } from './gemini-embeddings-simulator.ts';

/** The thought signature the simulator puts on parts, as Gemini 3 does. */
export const simulatedThoughtSignature = 'c2ltdWxhdGVkLXRob3VnaHQtc2lnbmF0dXJl';

const statusNames: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const contextLengthMessage = 'The input token count (300000) exceeds the maximum number of tokens allowed (200000).';

type WirePart = Record<string, unknown>;

export async function startGeminiSimulator(): Promise<UpstreamSimulator> {
  return startSimulatorServer({
    basePath: '/v1beta',
    async respond({ request, scenario, response, onClientClose }) {
      const embeddingsRoute = parseGeminiEmbeddingsRoute(request.url);
      if (embeddingsRoute !== undefined) {
        return respondToGeminiEmbeddings({ request, scenario, response, onClientClose }, embeddingsRoute, {
          authenticated: authenticated(request),
          writeError: (status, message) => writeError(response, status, message),
          writeScenarioError: (errorScenario) => writeScenarioError(response, errorScenario),
        });
      }
      const route = parseRoute(request.url);
      if (route === undefined || request.method !== 'POST') {
        writeError(response, 404, `The requested URL ${request.url} was not found on this server.`);
        return;
      }
      if (!authenticated(request)) {
        writeError(
          response,
          403,
          "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        );
        return;
      }
      if (route.stream && !route.sse) {
        writeError(response, 400, 'This simulator only speaks streamGenerateContent with alt=sse.');
        return;
      }
      const meta = { modelVersion: route.model, responseId: randomUUID().replaceAll('-', '').slice(0, 22) };
      switch (scenario.kind) {
        case 'error':
          writeScenarioError(response, scenario);
          return;
        case 'cut':
          await writeCut(response, scenario.chunks, meta);
          return;
        case 'hang':
          writeHang(response, scenario.chunks, meta, onClientClose);
          return;
        default:
          if (route.stream) await writeStream(response, streamEvents(scenario), meta, scenario.kind === 'text' ? scenario.gapMs : undefined);
          else writeJson(response, 200, { ...wholeResponse(scenario), ...meta });
      }
    },
  });
}

function parseRoute(url: string): { model: string; stream: boolean; sse: boolean } | undefined {
  const parsed = new URL(url, 'http://simulator');
  const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(parsed.pathname);
  if (match === null) return undefined;
  return { model: match[1]!, stream: match[2] === 'streamGenerateContent', sse: parsed.searchParams.get('alt') === 'sse' };
}

/** The Gemini API takes x-goog-api-key; a bearer token is accepted too, as Vertex AI takes one. */
function authenticated(request: RecordedRequest): boolean {
  const key = request.headers['x-goog-api-key'];
  const authorization = request.headers.authorization;
  return (typeof key === 'string' && key.length > 0) || (typeof authorization === 'string' && authorization.startsWith('Bearer '));
}

type AnswerScenario = Extract<Scenario, { kind: 'text' } | { kind: 'tool-calls' }>;

function wholeResponse(scenario: AnswerScenario): Record<string, unknown> {
  const parts: WirePart[] = [];
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) parts.push({ text: scenario.reasoningChunks.join(''), thought: true });
  const text = (scenario.chunks ?? []).join('');
  if (text.length > 0) parts.push({ text });
  if (scenario.kind === 'tool-calls') parts.push(...functionCallParts(scenario.calls));
  else if (scenario.reasoningChunks !== undefined && parts.length > 1) parts.at(-1)!.thoughtSignature = simulatedThoughtSignature;
  return { candidates: [candidate(parts, finishReasonOf(scenario))], usageMetadata: finalUsage(scenario.usage) };
}

/** Each delta is its own chunk; the last chunk carries finishReason and the final usage. */
function streamEvents(scenario: AnswerScenario): Array<Record<string, unknown>> {
  const partial = { usageMetadata: promptUsage(scenario.usage) };
  const events: Array<Record<string, unknown>> = [];
  if (scenario.kind === 'text') {
    for (const piece of scenario.reasoningChunks ?? []) events.push({ candidates: [candidate([{ text: piece, thought: true }])], ...partial });
  }
  for (const piece of scenario.chunks ?? []) events.push({ candidates: [candidate([{ text: piece }])], ...partial });
  if (scenario.kind === 'tool-calls') {
    // Gemini sends function calls whole, all parallel calls in one chunk.
    events.push({ candidates: [candidate(functionCallParts(scenario.calls))] });
  } else if (events.length === 0 || scenario.reasoningChunks !== undefined) {
    events.push({ candidates: [candidate([{ text: '', ...(scenario.reasoningChunks ? { thoughtSignature: simulatedThoughtSignature } : {}) }])] });
  }
  const last = events.at(-1)!;
  (last.candidates as Array<Record<string, unknown>>)[0]!.finishReason = finishReasonOf(scenario);
  last.usageMetadata = finalUsage(scenario.usage);
  return events;
}

function functionCallParts(calls: ScenarioToolCall[]): WirePart[] {
  return calls.map((call, index) => ({
    functionCall: { name: call.name, args: JSON.parse(call.arguments) as unknown },
    // Gemini puts the signature on the first function call of a step only.
    ...(index === 0 ? { thoughtSignature: simulatedThoughtSignature } : {}),
  }));
}

function candidate(parts: WirePart[], finishReason?: string): Record<string, unknown> {
  return { content: { parts, role: 'model' }, ...(finishReason === undefined ? {} : { finishReason }), index: 0 };
}

function finishReasonOf(scenario: AnswerScenario): string {
  if (scenario.kind === 'tool-calls') return 'STOP';
  if (scenario.finish === 'length') return 'MAX_TOKENS';
  if (scenario.finish === 'content_filter') return 'SAFETY';
  return 'STOP';
}

/** Normalised usage -> usageMetadata: prompt counts include cached tokens; thoughts sit beside candidates. */
function finalUsage(usage: ScenarioUsage): Record<string, unknown> {
  const thoughts = usage.reasoning ?? 0;
  return {
    promptTokenCount: usage.input,
    candidatesTokenCount: usage.output - thoughts,
    totalTokenCount: usage.input + usage.output,
    ...(usage.cachedInput ? { cachedContentTokenCount: usage.cachedInput } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }],
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** What intermediate chunks carry before the candidates are counted. */
function promptUsage(usage: ScenarioUsage): Record<string, unknown> {
  return { promptTokenCount: usage.input, totalTokenCount: usage.input, promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }] };
}

async function writeStream(
  response: ServerResponse,
  events: Array<Record<string, unknown>>,
  meta: Record<string, string>,
  gapMs = 0,
): Promise<void> {
  writeStreamHead(response);
  for (const [position, event] of events.entries()) {
    if (position > 0 && gapMs > 0) await sleep(gapMs);
    await writeEvent(response, { ...event, ...meta });
  }
  response.end();
}

async function writeCut(response: ServerResponse, chunks: string[], meta: Record<string, string>): Promise<void> {
  writeStreamHead(response);
  for (const piece of chunks) {
    await writeEvent(response, { candidates: [candidate([{ text: piece }])], usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 }, ...meta });
  }
  await sleep(20);
  response.socket?.destroy();
}

function writeHang(
  response: ServerResponse,
  chunks: string[] | undefined,
  meta: Record<string, string>,
  onClientClose: (callback: () => void) => void,
): void {
  writeStreamHead(response);
  void writeEvent(response, { candidates: [candidate([{ text: chunks?.[0] ?? 'Hello' }])], ...meta });
  // Never ends: the response stays open until the client goes away.
  onClientClose(() => response.destroy());
}

function writeStreamHead(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' });
}

/** Gemini frames SSE events with CRLF line endings. */
function writeEvent(response: ServerResponse, body: Record<string, unknown>): Promise<void> {
  return new Promise((resolve) => response.write(`data: ${JSON.stringify(body)}\r\n\r\n`, () => resolve()));
}

function writeScenarioError(response: ServerResponse, scenario: Extract<Scenario, { kind: 'error' }>): void {
  // Gemini's context-length error is a 400 whose message is its only mark; the scenario's own
  // wording follows it so the provider message can still be recognised.
  const message = scenario.contextLength ? `${contextLengthMessage} ${scenario.message}` : scenario.message;
  const details: Array<Record<string, unknown>> = [];
  if (scenario.status === 429) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
      violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
    });
    details.push({ '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] });
    if (scenario.retryAfterSeconds !== undefined) details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${scenario.retryAfterSeconds}s` });
  }
  writeError(response, scenario.status, message, details);
}

function writeError(response: ServerResponse, status: number, message: string, details: Array<Record<string, unknown>> = []): void {
  const status_ = statusNames[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
  writeJson(response, status, { error: { code: status, message, status: status_, ...(details.length > 0 ? { details } : {}) } });
}

function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(body));
}
