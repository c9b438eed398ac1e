// The embedding service's contract: model access and aliases as for completions, a reservation of
// the counted input tokens at the dearest candidate's input price, fallback on busy or failing
// deployments only, and one usage record per request whatever its outcome.
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src/core/auth.ts';
import { CatalogService } from '../../src/core/catalog.ts';
import { DeploymentTable, type Deployment } from '../../src/core/deployments.ts';
import { EmbeddingService } from '../../src/core/embedding-service.ts';
import { estimateEmbeddingTokens, type EmbeddingAdapter } from '../../src/core/embeddings.ts';
import { BudgetExceededError, InvalidRequestError, RateLimitedError, UpstreamAuthenticationError } from '../../src/core/errors.ts';
import type { Admission, AdmissionRequest, UsageRecord } from '../../src/core/metering/metering-ports.ts';
import { Router } from '../../src/core/router/router.ts';

const price = (input: bigint) => ({ input, output: 0n, cacheRead: null, cacheWrite: null });
const deployment = (id: string, providerId: string, extra: Partial<Deployment> = {}): Deployment => ({
  id,
  modelName: 'embed',
  providerId,
  upstreamModel: `${providerId}-model`,
  weight: 1,
  priority: 0,
  timeoutMs: null,
  pricing: price(1_000_000n), // $1 per 1M tokens
  contextLength: null,
  maxOutputTokens: null,
  ...extra,
});

const vectorsFor = (input: string[]) => input.map((_, index) => [index, 0.5]);
const answering = (inputTokens: number | null): EmbeddingAdapter => ({
  embed: async (request) => ({ vectors: vectorsFor(request.input), usage: inputTokens === null ? null : { inputTokens }, model: null }),
});
const failing = (error: Error): EmbeddingAdapter => ({ embed: async () => Promise.reject(error) });
const hanging: EmbeddingAdapter = {
  embed: (_request, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })), { once: true })),
};

function setup(deployments: Deployment[], adapters: Record<string, EmbeddingAdapter>, admission?: Admission) {
  const catalog = new CatalogService({ models: [], providers: [] });
  const records: UsageRecord[] = [];
  const calls: string[] = [];
  let ids = 0;
  const clock = { now: () => Date.now() };
  const router = new Router({ deployments: new DeploymentTable(catalog, deployments), adapters: new Map(), clock, random: () => 0 });
  const service = new EmbeddingService({
    router,
    adapters: new Map(
      Object.entries(adapters).map(([id, adapter]) => [id, { embed: (request, signal) => (calls.push(`${id}:${request.model}`), adapter.embed(request, signal)) }]),
    ),
    clock,
    newId: () => `gen-${++ids}`,
    usage: { record: (record) => records.push(record) },
    ...(admission ? { admission } : {}),
  });
  return { service, records, calls };
}

const caller: Caller = { keyId: 'k1', keyName: 'k', isMasterKey: false, teamId: 't1', userId: 'u1', scopes: ['INFERENCE'], allowedModels: null, teamAllowedModels: null, modelAliases: { vectors: 'embed' } };
const signal = () => new AbortController().signal;
const input = ['first text', 'second text here'];

describe('EmbeddingService', () => {
  it('embeds with the upstream model id and records one priced usage record with no output tokens', async () => {
    const { service, records, calls } = setup([deployment('d1', 'p1')], { p1: answering(12) });
    const outcome = await service.create({ model: 'embed', input, dimensions: 64, inputType: 'QUERY', user: 'end-1', caller, requestId: 'req-1' }, signal());
    expect(calls).toEqual(['p1:p1-model']);
    expect(outcome).toMatchObject({ model: 'embed', providerId: 'p1', upstreamModel: 'p1-model', vectors: vectorsFor(input), usage: { inputTokens: 12 }, usageEstimated: false, cost: 12n });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      id: outcome.generationId,
      keyId: 'k1',
      teamId: 't1',
      userId: 'u1',
      endUser: 'end-1',
      requestedModel: 'embed',
      model: 'embed',
      deploymentId: 'd1',
      usage: { inputTokens: 12, outputTokens: 0 },
      cost: 12n,
      status: 'SUCCESS',
      streamed: false,
      requestId: 'req-1',
    });
  });

  it('estimates and flags the usage when the upstream reports none', async () => {
    const { service, records } = setup([deployment('d1', 'p1')], { p1: answering(null) });
    const outcome = await service.create({ model: 'embed', input }, signal());
    expect(outcome.usage).toEqual({ inputTokens: estimateEmbeddingTokens(input) });
    expect(outcome.usageEstimated).toBe(true);
    expect(records[0]!.usage.inputTokens).toBe(estimateEmbeddingTokens(input));
  });

  it('applies aliases and refuses a model outside the allowed list, recording the refusal', async () => {
    const { service, records, calls } = setup([deployment('d1', 'p1')], { p1: answering(1) });
    await expect(service.create({ model: 'vectors', input, caller }, signal())).resolves.toMatchObject({ model: 'embed', requestedModel: 'vectors' });
    await expect(service.create({ model: 'embed', input, caller: { ...caller, allowedModels: ['chat'] } }, signal())).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(calls).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({ status: 'ERROR', errorCode: 'FORBIDDEN', model: null, cost: 0n });
  });

  it('reserves the estimated tokens at the dearest input price, settles the actual cost, and calls nothing when refused', async () => {
    const admitted: AdmissionRequest[] = [];
    const settled: Array<{ cost: bigint; tokens: number }> = [];
    const admission: Admission = {
      admit: async (request) => {
        admitted.push(request);
        if (admitted.length > 1) throw new BudgetExceededError('Budget exhausted');
        return { settle: async (actual) => void settled.push(actual) };
      },
    };
    const { service, calls, records } = setup(
      [deployment('d1', 'p1'), deployment('d2', 'p2', { priority: 1, pricing: price(3_000_000n) })],
      { p1: answering(10), p2: answering(10) },
      admission,
    );
    await service.create({ model: 'embed', input, user: 'end-1', caller }, signal());
    const tokens = estimateEmbeddingTokens(input);
    expect(admitted[0]).toMatchObject({ caller, endUser: 'end-1', model: 'embed', maxTokens: tokens, maxCost: BigInt(tokens * 3) });
    expect(settled).toEqual([{ cost: 10n, tokens: 10 }]);
    await expect(service.create({ model: 'embed', input }, signal())).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(calls).toHaveLength(1);
    expect(records.at(-1)).toMatchObject({ status: 'ERROR', errorCode: 'BUDGET_EXCEEDED' });
  });

  it('falls back in priority order on RATE_LIMITED, and times a hanging deployment out to the next', async () => {
    const { service, calls } = setup(
      [deployment('d1', 'p1'), deployment('d2', 'p2', { priority: 1, timeoutMs: 50 }), deployment('d3', 'p3', { priority: 2 })],
      { p1: failing(new RateLimitedError('slow down', { retryAfterMs: 1000 })), p2: hanging, p3: answering(5) },
    );
    const outcome = await service.create({ model: 'embed', input }, signal());
    expect(calls).toEqual(['p1:p1-model', 'p2:p2-model', 'p3:p3-model']);
    expect(outcome.providerId).toBe('p3');
    expect(outcome.attempts.map((attempt) => attempt.errorCode)).toEqual(['RATE_LIMITED', 'TIMEOUT', null]);
  });

  it('does not fall back on errors every deployment would share', async () => {
    for (const error of [new InvalidRequestError('bad dimensions'), new UpstreamAuthenticationError('bad key')]) {
      const { service, calls } = setup([deployment('d1', 'p1'), deployment('d2', 'p2', { priority: 1 })], { p1: failing(error), p2: answering(1) });
      await expect(service.create({ model: 'embed', input }, signal())).rejects.toBe(error);
      expect(calls).toEqual(['p1:p1-model']);
    }
  });

  it('skips deployments whose provider serves no embeddings, and says so when none is left', async () => {
    const { service, calls } = setup([deployment('d1', 'chat-only'), deployment('d2', 'p2', { priority: 1 })], { p2: answering(1) });
    await expect(service.create({ model: 'embed', input }, signal())).resolves.toMatchObject({ providerId: 'p2' });
    expect(calls).toEqual(['p2:p2-model']);
    const none = setup([deployment('d1', 'chat-only')], {});
    await expect(none.service.create({ model: 'embed', input }, signal())).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(none.service.create({ model: 'nothing', input }, signal())).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('records a request the client abandoned as CANCELLED', async () => {
    const { service, records } = setup([deployment('d1', 'p1')], { p1: hanging });
    const controller = new AbortController();
    const pending = service.create({ model: 'embed', input }, controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(records[0]).toMatchObject({ status: 'CANCELLED', cancelledByClient: true, errorCode: 'CANCELLED', cost: 0n });
  });

  it('refuses empty input and bad dimensions before anything else', async () => {
    const { service, calls } = setup([deployment('d1', 'p1')], { p1: answering(1) });
    await expect(service.create({ model: 'embed', input: [] }, signal())).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(service.create({ model: 'embed', input: ['a', ''] }, signal())).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(service.create({ model: 'embed', input, dimensions: 0 }, signal())).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(calls).toEqual([]);
  });
});
