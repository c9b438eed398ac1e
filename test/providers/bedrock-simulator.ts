// An Amazon Bedrock Runtime upstream (POST /model/{modelId}/converse and /converse-stream) speaking
// each Scenario in Bedrock's wire format: Converse response JSON, ConverseStream bodies as real
// AWS event-stream frames (prelude, typed headers, JSON payload with Bedrock's `p` padding field,
// CRC32 checksums) encoded by Smithy's codec, and HTTP errors as `{"message"}` bodies named by the
// x-amzn-errortype header. Requests must carry a valid SigV4 signature (checked by recomputing it
// with @smithy/signature-v4 from the headers the client signed) or a Bedrock API key.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { writeEventsUntilClientCloses } from '../helpers/provider-simulator-stream.ts';
import { sleep, splitInto, startSimulatorServer } from '../helpers/simulator-server.ts';
import type { RecordedRequest, Scenario, ScenarioUsage, UpstreamSimulator } from '../helpers/upstream-scenario.ts';
import { parseBedrockInvokeRoute, respondToBedrockEmbeddings } from './bedrock-embeddings-simulator.ts';

/** The access key the conformance suite signs with; its secret is the suite's apiKey. */
export const simulatedAccessKeyId = 'AKIASIMULATED000001';

export interface BedrockSimulatorOptions {
  /** Secret access keys by access key id. */
  secrets?: Record<string, string>;
  /** Bedrock API keys accepted as bearer tokens. */
  apiKeys?: string[];
}

export interface BedrockSimulator extends UpstreamSimulator {
  /** The AWS region the simulator stands for; signatures must be scoped to it. */
  readonly region: string;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const region = 'us-east-1';
const stopReasonByFinish = { stop: 'end_turn', length: 'max_tokens', content_filter: 'content_filtered' } as const;

interface WireEvent {
  eventType: string;
  payload: Record<string, unknown>;
}
type AnswerScenario = Extract<Scenario, { kind: 'text' } | { kind: 'tool-calls' }>;

export async function startBedrockSimulator(options: BedrockSimulatorOptions = {}): Promise<BedrockSimulator> {
  const secrets = options.secrets ?? { [simulatedAccessKeyId]: 'sk-test-key' };
  const apiKeys = new Set(options.apiKeys ?? []);
  const simulator = await startSimulatorServer({
    basePath: '',
    async respond({ request, scenario, response, onClientClose }) {
      const invokedModel = parseBedrockInvokeRoute(request.url);
      if (invokedModel !== undefined) {
        return respondToBedrockEmbeddings({ request, scenario, response, onClientClose }, invokedModel, {
          refusal: await authenticate(request, secrets, apiKeys),
          writeError: (status, type, message) => writeError(response, status, type, message),
          writeScenarioError: (errorScenario) => writeScenarioError(response, errorScenario),
        });
      }
      const route = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(request.url);
      if (request.method !== 'POST' || route === null) {
        writeError(response, 404, 'UnknownOperationException', `Unknown operation ${request.method} ${request.url}`);
        return;
      }
      const refusal = await authenticate(request, secrets, apiKeys);
      if (refusal !== undefined) {
        writeError(response, 403, refusal.type, refusal.message);
        return;
      }
      const body = request.body as Record<string, unknown> | undefined;
      if (typeof body !== 'object' || body === null || !Array.isArray(body.messages) || body.messages.length === 0) {
        writeError(response, 400, 'ValidationException', 'A conversation must start with a user message. Try again with a conversation that starts with a user message.');
        return;
      }
      if ('model' in body || 'max_tokens' in body) {
        writeError(response, 400, 'ValidationException', 'Malformed input request: extraneous key is not permitted, please reformat your input and try again.');
        return;
      }
      const stream = route[2] === 'converse-stream';
      switch (scenario.kind) {
        case 'error':
          writeScenarioError(response, scenario);
          return;
        case 'cut': {
          startStream(response);
          const events = streamEvents({ kind: 'text', chunks: scenario.chunks, usage: { input: 1, output: 1 } });
          for (const event of events.slice(0, 1 + scenario.chunks.length)) await writeFrame(response, encodeBedrockEvent(event.eventType, event.payload));
          // Half of the next frame, then the connection drops.
          const next = encodeBedrockEvent('contentBlockStop', { contentBlockIndex: 0 });
          await writeFrame(response, next.slice(0, 9));
          await sleep(20);
          response.socket?.destroy();
          return;
        }
        case 'hang': {
          startStream(response);
          const events = streamEvents({ kind: 'text', chunks: [scenario.chunks?.[0] ?? 'Hello'], usage: { input: 1, output: 1 } });
          for (const event of events.slice(0, 2)) await writeFrame(response, encodeBedrockEvent(event.eventType, event.payload));
          // Never ends: the test waits for the client to close the connection.
          onClientClose(() => response.destroy());
          return;
        }
        default: {
          if (!stream) {
            writeJson(response, 200, wholeResponse(scenario));
            return;
          }
          startStream(response);
          await writeEventsUntilClientCloses(response, streamEvents(scenario), {
            write: (event) => writeFrame(response, encodeBedrockEvent(event.eventType, event.payload)),
            onClientClose,
            gapMs: scenario.kind === 'text' ? (scenario.gapMs ?? 0) : 0,
          });
        }
      }
    },
  });
  return Object.assign(simulator, { region });
}

/** One event message as Bedrock frames it, with the random-length `p` padding Bedrock adds. */
export function encodeBedrockEvent(eventType: string, payload: Record<string, unknown>): Uint8Array {
  const padding = randomBytes(8).toString('hex').slice(0, 1 + (eventType.length % 16));
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: padding })),
  });
}

/** An exception message inside a stream, e.g. throttlingException. */
export function encodeBedrockException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

async function authenticate(request: RecordedRequest, secrets: Record<string, string>, apiKeys: Set<string>): Promise<{ type: string; message: string } | undefined> {
  const authorization = header(request, 'authorization');
  if (authorization?.startsWith('Bearer ')) {
    return apiKeys.has(authorization.slice(7)) ? undefined : { type: 'UnrecognizedClientException', message: 'Invalid API Key format: Must start with pre-defined prefix' };
  }
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization ?? '');
  if (match === null) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const [, accessKeyId, , scopeRegion, service, signedHeaders] = match as unknown as [string, string, string, string, string, string];
  const secret = secrets[accessKeyId];
  if (secret === undefined) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
  if (scopeRegion !== region || service !== 'bedrock') {
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region and service 'bedrock'.` };
  }
  const amzDate = header(request, 'x-amz-date') ?? '';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (date === null) return { type: 'IncompleteSignatureException', message: 'Date must be in ISO-8601 basic format.' };
  const sessionToken = header(request, 'x-amz-security-token');
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret, ...(sessionToken === undefined ? {} : { sessionToken }) },
    region: scopeRegion,
    service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const url = new URL(request.url, 'http://simulator');
  const headers = Object.fromEntries(signedHeaders.split(';').map((name) => [name, header(request, name) ?? '']));
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: (headers.host ?? '').split(':')[0]!,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      // The recorder parsed the JSON body; serialising it again gives back the bytes the adapter sent.
      body: request.body === undefined ? '' : JSON.stringify(request.body),
    },
    { signingDate: new Date(`${date[1]}-${date[2]}-${date[3]}T${date[4]}:${date[5]}:${date[6]}Z`) },
  );
  if (expected.headers.authorization !== authorization) {
    return {
      type: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    };
  }
  return undefined;
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

const signatureFor = (text: string) => Buffer.from(`sig:${text}`).toString('base64');

function wholeResponse(scenario: AnswerScenario): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) {
    const text = scenario.reasoningChunks.join('');
    content.push({ reasoningContent: { reasoningText: { text, signature: signatureFor(text) } } });
  }
  const text = (scenario.chunks ?? []).join('');
  if (text.length > 0) content.push({ text });
  if (scenario.kind === 'tool-calls') {
    for (const call of scenario.calls) content.push({ toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown } });
  }
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: stopReasonOf(scenario),
    usage: usageOf(scenario.usage),
    metrics: { latencyMs: 412 },
  };
}

/** Text blocks have no contentBlockStart; tool-use blocks start with their id and name. */
function streamEvents(scenario: AnswerScenario): WireEvent[] {
  const events: WireEvent[] = [{ eventType: 'messageStart', payload: { role: 'assistant' } }];
  let index = 0;
  if (scenario.kind === 'text' && scenario.reasoningChunks !== undefined) {
    for (const chunk of scenario.reasoningChunks) events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { reasoningContent: { text: chunk } } } });
    const signature = signatureFor(scenario.reasoningChunks.join(''));
    events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { reasoningContent: { signature } } } });
    events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index++ } });
  }
  const chunks = scenario.chunks ?? [];
  if (chunks.length > 0) {
    for (const chunk of chunks) events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { text: chunk } } });
    events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index++ } });
  }
  if (scenario.kind === 'tool-calls') {
    for (const call of scenario.calls) {
      events.push({ eventType: 'contentBlockStart', payload: { contentBlockIndex: index, start: { toolUse: { toolUseId: call.id, name: call.name } } } });
      for (const piece of splitInto(call.arguments, Math.max(2, scenario.argumentPieces ?? 2))) {
        events.push({ eventType: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: { toolUse: { input: piece } } } });
      }
      events.push({ eventType: 'contentBlockStop', payload: { contentBlockIndex: index++ } });
    }
  }
  events.push({ eventType: 'messageStop', payload: { stopReason: stopReasonOf(scenario) } });
  events.push({ eventType: 'metadata', payload: { usage: usageOf(scenario.usage), metrics: { latencyMs: 412 } } });
  return events;
}

function stopReasonOf(scenario: AnswerScenario): string {
  return scenario.kind === 'tool-calls' ? 'tool_use' : stopReasonByFinish[scenario.finish ?? 'stop'];
}

/** Bedrock's convention: inputTokens leaves out cache reads and writes, totalTokens counts all. */
function usageOf(usage: ScenarioUsage): Record<string, unknown> {
  const cacheRead = usage.cachedInput ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  return {
    inputTokens: usage.input - cacheRead - cacheWrite,
    outputTokens: usage.output,
    totalTokens: usage.input + usage.output,
    ...(cacheRead > 0 ? { cacheReadInputTokens: cacheRead } : {}),
    ...(cacheWrite > 0 ? { cacheWriteInputTokens: cacheWrite } : {}),
  };
}

const errorTypeByStatus: Record<number, string> = {
  // AWS answers bad credentials with 403 UnrecognizedClientException, never 401.
  401: 'UnrecognizedClientException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

function writeScenarioError(response: ServerResponse, scenario: Extract<Scenario, { kind: 'error' }>): void {
  const type = errorTypeByStatus[scenario.status] ?? (scenario.status >= 500 ? 'InternalServerException' : 'ValidationException');
  const status = scenario.status === 401 ? 403 : scenario.status;
  const message = scenario.contextLength ? `Input is too long for requested model. ${scenario.message}` : scenario.message;
  // Bedrock itself sends no Retry-After; one is added when the scenario asks, as a proxy in front might.
  writeError(response, status, type, message, scenario.retryAfterSeconds === undefined ? {} : { 'retry-after': String(scenario.retryAfterSeconds) });
}

function writeError(response: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  writeJson(response, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, ...headers });
}

function writeJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers }).end(JSON.stringify(body));
}

function startStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
}

function writeFrame(response: ServerResponse, frame: Uint8Array): Promise<void> {
  return new Promise((resolve) => response.write(frame, () => resolve()));
}
