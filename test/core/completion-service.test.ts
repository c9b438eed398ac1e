// The service's contract with metering: one usage record per request (success, failure,
// cancellation), reservations settled with the actual cost, and no upstream call when refused.
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/auth.ts';
import { CatalogService } from '../../src/core/catalog.ts';
import { CompletionService, type CompletionEvent } from '../../src/core/completion-service.ts';
import { DeploymentTable } from '../../src/core/deployments.ts';
import { BudgetExceededError, RateLimitedError } from '../../src/core/errors.ts';
import type { Admission, UsageRecord } from '../../src/core/metering/metering-ports.ts';
import type { ProviderAdapter } from '../../src/core/ports.ts';
import type { StreamPart } from '../../src/core/types.ts';

const usage = { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
const pricing = { input: 1_000_000n, output: 2_000_000n, cacheRead: null, cacheWrite: null }; // $1 / $2 per 1M

function setup(adapter: ProviderAdapter, admission?: Admission) {
  const catalog = new CatalogService({ models: [], providers: [{ id: 'p', name: 'P', kind: 'mock', protocol: 'mock', baseUrl: null, configured: true, supports: { chat: true, streaming: true, tools: false, vision: false, embeddings: false } }] });
  const deployments = new DeploymentTable(catalog, [
    { id: 'd1', modelName: 'm', providerId: 'p', upstreamModel: 'up', weight: 1, priority: 0, timeoutMs: null, pricing, contextLength: null, maxOutputTokens: 1000 },
  ]);
  const records: UsageRecord[] = [];
  let ids = 0;
  const service = new CompletionService({
    deployments,
    adapters: new Map([['p', adapter]]),
    clock: { now: () => Date.now() },
    newId: () => `gen-${++ids}`,
    usage: { record: (record) => records.push(record) },
    ...(admission ? { admission } : {}),
  });
  return { service, records };
}

const textAdapter = (parts: StreamPart[], hangAfter = false): ProviderAdapter => ({
  generate: async () => ({ id: 'x', model: 'up', text: 'hi', toolCalls: [], reasoning: '', reasoningBlocks: [], finishReason: { unified: 'STOP', raw: 'stop' }, usage }),
  async *stream(_request, signal) {
    for (const part of parts) yield part;
    if (hangAfter) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  },
});

const caller: Caller = { keyId: 'k1', keyName: 'k', isMasterKey: false, teamId: 't1', userId: null, scopes: ['INFERENCE'], allowedModels: null, teamAllowedModels: null, modelAliases: { fast: 'm' } };
const request = { model: 'm', parameters: { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello' }] }], user: 'end-1' }, caller };

describe('CompletionService metering hooks', () => {
  it('records a successful request once with key, team, end user, tokens and cost', async () => {
    const { service, records } = setup(textAdapter([]));
    const outcome = await service.create(request, new AbortController().signal);
    expect(outcome.cost).toBe(1200n);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: outcome.generationId, keyId: 'k1', teamId: 't1', endUser: 'end-1', status: 'SUCCESS', cost: 1200n, model: 'm', deploymentId: 'd1', streamed: false });
  });

  it('applies key aliases and refuses models outside the allowed list', async () => {
    const { service } = setup(textAdapter([]));
    await expect(service.create({ ...request, model: 'fast' }, new AbortController().signal)).resolves.toMatchObject({ model: 'm' });
    await expect(
      service.create({ ...request, caller: { ...caller, allowedModels: ['other/*'] } }, new AbortController().signal),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.create({ ...request, caller: { ...caller, scopes: ['READ_USAGE'] } }, new AbortController().signal)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('reserves the worst case before calling, settles the actual cost, and makes no call when refused', async () => {
    const settled: bigint[] = [];
    const reserved: bigint[] = [];
    let calls = 0;
    const adapter = textAdapter([]);
    const counting: ProviderAdapter = { ...adapter, generate: (r, s) => (calls++, adapter.generate(r, s)) };
    const { service, records } = setup(counting, {
      admit: async (admission) => {
        reserved.push(admission.maxCost);
        if (reserved.length > 1) throw new BudgetExceededError('Budget of $1 exhausted');
        return { settle: async ({ cost }) => void settled.push(cost) };
      },
    });
    await service.create(request, new AbortController().signal);
    expect(reserved[0]!).toBeGreaterThanOrEqual(2000n); // 1000 output allowance x $2/1M at least
    expect(settled).toEqual([1200n]);
    await expect(service.create(request, new AbortController().signal)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(calls).toBe(1);
    expect(records.map((r) => [r.status, r.errorCode])).toEqual([
      ['SUCCESS', null],
      ['ERROR', 'BUDGET_EXCEEDED'],
    ]);
  });

  it('ends a refused stream with its typed terminal event and no upstream call', async () => {
    const { service, records } = setup(textAdapter([{ type: 'text-delta', text: 'x' }]), {
      admit: async () => {
        throw new RateLimitedError('10 requests per minute', { retryAfterMs: 30_000 });
      },
    });
    const events: CompletionEvent[] = [];
    for await (const event of service.stream(request, new AbortController().signal)) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['started', 'error']);
    expect(events[1]).toMatchObject({ error: { code: 'RATE_LIMITED', retryAfterMs: 30_000 } });
    expect(records).toHaveLength(1);
  });

  it('bills a stream the client abandons once, for what was produced', async () => {
    const settled: bigint[] = [];
    const { service, records } = setup(
      textAdapter([{ type: 'text-delta', text: 'a fairly long partial answer of forty characters' }], true),
      { admit: async () => ({ settle: async ({ cost }) => void settled.push(cost) }) },
    );
    for await (const event of service.stream(request, new AbortController().signal)) {
      if (event.type === 'text-delta') break; // the consumer goes away
    }
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'CANCELLED', cancelledByClient: true, streamed: true });
    expect(records[0]!.usage.outputTokens).toBeGreaterThan(0);
    expect(records[0]!.cost).toBeGreaterThan(0n);
    expect(settled).toEqual([records[0]!.cost]);
  });
});
