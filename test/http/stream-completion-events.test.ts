// The streaming write path on its own: an OpenAI upstream that sends several SSE events in one
// write, the completion service, the chunk encoder and a real node:http response. Events that
// arrive together may leave together, but in order and with the same content.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAIChunkEncoder } from '../../src/http/openai/openai-chunk-encoder.ts';
import type { RestExchange } from '../../src/http/shared/rest-exchange.ts';
import { streamCompletionEvents } from '../../src/http/shared/stream-completion-events.ts';
import { createRouterHarness, hello } from '../helpers/router-harness.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(handler: (response: ServerResponse) => void | Promise<void>): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => void handler(response));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const tokens = ['Hel', 'lo', ', ', 'wörld', ' ✓', '!', ' 日本'];
const chunk = (choice: unknown, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [choice], ...extra })}\n\n`;
const upstreamEvents = [
  chunk({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }),
  ...tokens.map((token) => chunk({ index: 0, delta: { content: token }, finish_reason: null })),
  chunk({ index: 0, delta: {}, finish_reason: 'stop' }),
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'up-model', choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } })}\n\n`,
  'data: [DONE]\n\n',
];

/** Streams through the gateway path with the upstream writing `groups` of events, each group in one write. */
async function streamThrough(groups: string[][]): Promise<{ text: string; writes: number }> {
  const upstream = await listen(async (response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const group of groups) {
      response.write(group.join(''));
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    response.end();
  });
  const harness = createRouterHarness({
    providers: { up: `${upstream}/v1` },
    deployments: [{ id: 'd1', modelName: 'model', providerId: 'up', upstreamModel: 'up-model' }],
  });
  let writes = 0;
  const gateway = await listen(async (response) => {
    const write = response.write.bind(response) as (text: string) => boolean;
    response.write = ((text: string) => {
      writes++;
      return write(text);
    }) as ServerResponse['write'];
    const signal = new AbortController().signal;
    const exchange = { response, signal } as RestExchange;
    await streamCompletionEvents(exchange, harness.service.stream({ model: 'model', parameters: hello }, signal), createOpenAIChunkEncoder({ created: 1, model: 'model' }));
  });
  try {
    const response = await fetch(gateway, { method: 'POST' });
    return { text: await response.text(), writes };
  } finally {
    await harness.close();
  }
}

describe('streamCompletionEvents', () => {
  it('sends events that arrive in one upstream read in order with the same content, in fewer writes', async () => {
    const oneByOne = await streamThrough(upstreamEvents.map((event) => [event]));
    // The role chunk and three tokens in one read, the other four in the next, finish, usage and [DONE] in a third.
    const together = await streamThrough([upstreamEvents.slice(0, 4), upstreamEvents.slice(4, 8), upstreamEvents.slice(8)]);

    const frames = together.text.split('\n\n').filter((frame) => frame !== '');
    expect(frames.at(-1)).toBe('data: [DONE]');
    const deltas = frames.slice(0, -1).map((frame) => JSON.parse(frame.slice('data: '.length)).choices[0]?.delta);
    expect(deltas.slice(0, tokens.length + 1)).toEqual([{ role: 'assistant', content: '' }, ...tokens.map((content) => ({ content }))]);
    expect(together.text).toBe(oneByOne.text);
    // At most one write per read that carried tokens (two, or one if a busy machine merged them);
    // the finish and usage frames go out with the response's end.
    expect(together.writes).toBeLessThanOrEqual(2);
    expect(oneByOne.writes).toBeGreaterThan(together.writes);
  });
});
