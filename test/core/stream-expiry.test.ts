// A stream part the adapter never delivers is given up when the attempt's timer expires, even if
// the adapter ignores its abort signal; the adapter's iterator is then closed without waiting.
import { describe, expect, it } from 'vitest';
import { CatalogService } from '../../src/core/catalog.ts';
import { CompletionService, type CompletionEvent } from '../../src/core/completion-service.ts';
import { DeploymentTable } from '../../src/core/deployments.ts';
import type { ProviderAdapter } from '../../src/core/ports.ts';
import type { StreamPart } from '../../src/core/types.ts';

const usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/** Streams `parts`, then a next() that never settles; return() never settles either. */
function stuckAdapter(parts: StreamPart[]) {
  const calls: string[] = [];
  const adapter: ProviderAdapter = {
    generate: async () => ({ id: null, model: null, text: '', toolCalls: [], reasoning: '', reasoningBlocks: [], finishReason: { unified: 'STOP', raw: 'stop' }, usage }),
    stream: () => {
      let index = 0;
      const iterator: AsyncIterableIterator<StreamPart> = {
        [Symbol.asyncIterator]: () => iterator,
        next: () => {
          calls.push('next');
          return index < parts.length ? Promise.resolve({ value: parts[index++]!, done: false }) : new Promise(() => undefined);
        },
        return: () => {
          calls.push('return');
          return new Promise(() => undefined);
        },
      };
      return iterator;
    },
  };
  return { adapter, calls };
}

function setup(adapter: ProviderAdapter, timeoutMs: number) {
  const catalog = new CatalogService({ models: [], providers: [{ id: 'p', name: 'P', kind: 'mock', protocol: 'mock', baseUrl: null, configured: true, supports: { chat: true, streaming: true, tools: false, vision: false, embeddings: false } }] });
  const deployments = new DeploymentTable(catalog, [
    { id: 'd1', modelName: 'm', providerId: 'p', upstreamModel: 'up', weight: 1, priority: 0, timeoutMs, pricing: null, contextLength: null, maxOutputTokens: 100 },
  ]);
  let ids = 0;
  return new CompletionService({ deployments, adapters: new Map([['p', adapter]]), clock: { now: () => Date.now() }, newId: () => `gen-${++ids}` });
}

const request = { model: 'm', parameters: { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello' }] }] } };

describe('CompletionService stream expiry', () => {
  it('gives up on a part that never comes when the attempt times out, and closes the adapter stream without waiting', async () => {
    const { adapter, calls } = stuckAdapter([
      { type: 'response-metadata', id: 'x', model: 'up' },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
    ]);
    const service = setup(adapter, 100);
    const events: CompletionEvent[] = [];
    for await (const event of service.stream(request, new AbortController().signal)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['started', 'text-delta', 'text-delta', 'error']);
    expect(events.at(-1)).toMatchObject({ error: { code: 'TIMEOUT' } });
    expect(calls).toEqual(['next', 'next', 'next', 'next', 'return']);
  });
});
