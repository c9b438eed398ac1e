// Small streaming clients for the load generator: one stream in, its time to first token, the
// number of content events and whether it finished properly out. Three protocols:
//   openai-sse   Chat Completions SSE (direct, floor, peer, modelgraph REST): content deltas, [DONE]
//   graphql-sse  GraphQL over SSE (POST /graphql, accept: text/event-stream): `next` events, `complete`
//   graphql-ws   GraphQL over WebSocket with the graphql-ws client, one socket per stream slot
import { request as httpRequest, type Agent } from 'node:http';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export type StreamProtocol = 'openai-sse' | 'graphql-sse' | 'graphql-ws';

export interface StreamOutcome {
  /** From sending the request to the first content event. */
  ttftMs: number | null;
  contentEvents: number;
  /** The stream ended with its terminal marker and no error. */
  finished: boolean;
  error?: string;
}

export interface SseRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  agent: Agent;
  timeoutMs: number;
}

/** Splits an SSE body into events and hands each one's event name and joined data lines on. */
function sseSplitter(onEvent: (event: string, data: string) => void): (text: string) => void {
  let buffer = '';
  return (text) => {
    // CRLF line ends become LF; a lone CR as a line end is left unsupported in this client.
    buffer += text.includes('\r') ? text.replace(/\r/g, '') : text;
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) event = line.slice(6).trim();
      }
      if (data.length > 0 || event !== 'message') onEvent(event, data.join('\n'));
    }
  };
}

/** A settle() that resolves the stream's promise once with its outcome and stops its timeout (read when it runs). */
function settleOnce(resolve: (outcome: StreamOutcome) => void, outcome: StreamOutcome, timer: () => ReturnType<typeof setTimeout>): () => void {
  let settled = false;
  return () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer());
    resolve(outcome);
  };
}

/** Runs one HTTP SSE stream; `classify` reads each event and says what it was. */
function sseStream(
  request: SseRequest,
  classify: (event: string, data: string) => 'content' | 'done' | 'ignore' | { error: string },
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outcome: StreamOutcome = { ttftMs: null, contentEvents: 0, finished: false };
    const settle = settleOnce(resolve, outcome, () => timer);
    const req = httpRequest(request.url, {
      method: 'POST',
      agent: request.agent,
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
    });
    const timer = setTimeout(() => {
      outcome.error ??= `timed out after ${request.timeoutMs} ms`;
      req.destroy();
      settle();
    }, request.timeoutMs);
    req.on('error', (error) => {
      outcome.error ??= error.message;
      settle();
    });
    req.on('response', (response) => {
      if (response.statusCode !== 200) {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (part: string) => (text += part));
        response.on('end', () => {
          outcome.error = `HTTP ${response.statusCode}: ${text.slice(0, 300)}`;
          settle();
        });
        return;
      }
      response.setEncoding('utf8');
      const feed = sseSplitter((event, data) => {
        const kind = classify(event, data);
        if (kind === 'content') {
          if (outcome.ttftMs === null) outcome.ttftMs = performance.now() - started;
          outcome.contentEvents++;
        } else if (kind === 'done') {
          outcome.finished = outcome.error === undefined;
        } else if (kind !== 'ignore') {
          outcome.error ??= kind.error;
        }
      });
      response.on('data', feed);
      response.on('end', settle);
      response.on('close', settle);
      response.on('error', (error) => {
        outcome.error ??= error.message;
        settle();
      });
    });
    req.end(request.body);
  });
}

export function openAISseStream(request: SseRequest): Promise<StreamOutcome> {
  return sseStream(request, (_event, data) => {
    if (data === '[DONE]') return 'done';
    const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }>; error?: unknown };
    if (chunk.error) return { error: JSON.stringify(chunk.error).slice(0, 300) };
    return chunk.choices?.[0]?.delta?.content ? 'content' : 'ignore';
  });
}

interface StreamPayload {
  data?: { chatCompletionStream?: { __typename: string; text?: string; code?: string; message?: string } } | null;
  errors?: unknown[];
}

/** What one `next` payload of chatCompletionStream is. */
function classifyGraphQL(payload: StreamPayload, completed: { value: boolean }): 'content' | 'ignore' | { error: string } {
  if (payload.errors) return { error: JSON.stringify(payload.errors).slice(0, 300) };
  const event = payload.data?.chatCompletionStream;
  switch (event?.__typename) {
    case 'ChatTextDelta':
      return event.text ? 'content' : 'ignore';
    case 'ChatCompletionCompleted':
      completed.value = true;
      return 'ignore';
    case 'ChatCompletionFailed':
      return { error: `${event.code}: ${event.message}` };
    default:
      return 'ignore';
  }
}

export function graphQLSseStream(request: SseRequest): Promise<StreamOutcome> {
  const completed = { value: false };
  return sseStream(request, (event, data) => {
    if (event === 'complete') return completed.value ? 'done' : { error: 'completed without ChatCompletionCompleted' };
    if (event !== 'next') return 'ignore';
    return classifyGraphQL(JSON.parse(data) as StreamPayload, completed);
  });
}

/**
 * A graphql-ws client on its own socket, connected and acknowledged before the measurement starts.
 * The headers go on the upgrade request and, as graphql-ws servers read keys, in connectionParams.
 */
export async function connectGraphQLWs(url: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<Client> {
  const client = createClient({
    url,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    },
    connectionParams: headers,
    lazy: false,
    retryAttempts: 0,
    keepAlive: 0,
    onNonLazyError: () => undefined,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`graphql-ws: no connection_ack within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        offConnected();
        offClosed();
        offError();
        if (error) reject(error);
        else resolve();
      };
      const offConnected = client.on('connected', () => finish());
      const offClosed = client.on('closed', (event) => {
        const { code, reason } = event as { code?: number; reason?: string };
        finish(new Error(`graphql-ws closed before it was acknowledged: ${code ?? ''} ${reason ?? ''}`.trim()));
      });
      const offError = client.on('error', (error) => finish(error instanceof Error ? error : new Error('graphql-ws connection failed')));
    });
  } catch (error) {
    await client.dispose();
    throw error;
  }
  return client;
}

export function graphQLWsStream(
  client: Client,
  payload: { query: string; operationName: string; variables: Record<string, unknown> },
  timeoutMs: number,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const outcome: StreamOutcome = { ttftMs: null, contentEvents: 0, finished: false };
    const completed = { value: false };
    const settle = settleOnce(resolve, outcome, () => timer);
    const unsubscribe = client.subscribe<StreamPayload['data']>(payload, {
      next: (value) => {
        const kind = classifyGraphQL(value as StreamPayload, completed);
        if (kind === 'content') {
          if (outcome.ttftMs === null) outcome.ttftMs = performance.now() - started;
          outcome.contentEvents++;
        } else if (kind !== 'ignore') {
          outcome.error ??= kind.error;
        }
      },
      error: (error) => {
        outcome.error ??= error instanceof Error ? error.message : JSON.stringify(error).slice(0, 300);
        settle();
      },
      complete: () => {
        if (completed.value) outcome.finished = outcome.error === undefined;
        else outcome.error ??= 'completed without ChatCompletionCompleted';
        settle();
      },
    });
    const timer = setTimeout(() => {
      outcome.error ??= `timed out after ${timeoutMs} ms`;
      unsubscribe();
      settle();
    }, timeoutMs);
  });
}
