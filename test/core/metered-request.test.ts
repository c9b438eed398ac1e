// The metered-request skeleton on its own: a request served without an upstream call (what a
// response cache does), what the attempt observer (metrics, traces) is told, the one place that tells a cancel from a timeout, and the settlement of a
// request whose attempts failed, in both modes of the completion service.
import { describe, expect, it } from 'vitest';
import { CatalogService } from '../../src/core/catalog.ts';
import { CompletionService } from '../../src/core/completion-service.ts';
import { DeploymentTable } from '../../src/core/deployments.ts';
import { CancelledError, ServerShutdownError, TimeoutError, UpstreamError } from '../../src/core/errors.ts';
import type { Admission, UsageRecord } from '../../src/core/metering/metering-ports.ts';
import type { ProviderAdapter } from '../../src/core/ports.ts';
import { attemptFailure, type Attempt } from '../../src/core/requests/attempt.ts';
import { MeteredRequest } from '../../src/core/requests/metered-request.ts';
import type { PlannedAttempt, RouteRun } from '../../src/core/router/route-run.ts';
import type { AttemptStart } from '../../src/core/telemetry/attempt-telemetry.ts';
import { noRetries } from '../helpers/router-harness.ts';

const usage = { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
const pricing = { input: 1_000_000n, output: 2_000_000n, cacheRead: null, cacheWrite: null }; // $1 / $2 per 1M

function recordingAdmission(settled: Array<{ cost: bigint; tokens: number }>): Admission {
  return { admit: async () => ({ settle: async (actual) => void settled.push(actual) }) };
}

describe('MeteredRequest', () => {
  it('records a request served without an upstream call: no attempts, the original tokens, cost 0, its own latency', async () => {
    let now = 1_000;
    const records: UsageRecord[] = [];
    const metered = new MeteredRequest(
      { clock: { now: () => now }, newId: () => 'gen-1', admission: { admit: async () => ({ settle: async () => undefined }) }, usage: { record: (r) => records.push(r) } },
      { operation: 'chat', requestedModel: 'fast', endUser: 'end-1', streamed: false, call: { requestId: 'req-1' } },
    );
    now += 7;
    metered.serveWithoutUpstream({ modelName: 'm', deployment: { id: 'd1', providerId: 'p', upstreamModel: 'up' } }, usage);
    await metered.end(new AbortController().signal);
    expect(metered.withoutUpstream).toBe(true);
    expect(records).toEqual([
      {
        id: 'gen-1',
        createdAt: new Date(1_000),
        keyId: null,
        teamId: null,
        userId: null,
        endUser: 'end-1',
        requestedModel: 'fast',
        model: 'm',
        deploymentId: 'd1',
        providerId: 'p',
        upstreamModel: 'up',
        usage,
        cost: 0n,
        latencyMs: 7,
        timeToFirstTokenMs: null,
        status: 'SUCCESS',
        errorCode: null,
        attempts: [],
        streamed: false,
        operation: 'chat',
        cancelledByClient: false,
        requestId: 'req-1',
        cacheHit: true,
      },
    ]);
  });

  it('tells the attempt observer of each attempt as it starts, of its chunks, and of its end with what the upstream answered; an abandoned attempt ends with the request', async () => {
    const seen: string[] = [];
    const listed: Attempt[] = [];
    const starts: AttemptStart[] = [];
    const metered = new MeteredRequest(
      { clock: { now: () => 1_000 }, newId: () => 'gen-1', admission: { admit: async () => ({ settle: async () => undefined }) }, usage: { record: () => undefined } },
      {
        operation: 'chat',
        requestedModel: 'fast',
        endUser: null,
        streamed: true,
        call: {
          onAttemptStarted: (start) => {
            starts.push(start);
            return {
              chunk: () => void seen.push(`chunk ${start.deploymentId}`),
              ended: (attempt, answer) => {
                listed.push(attempt);
                seen.push(`ended ${attempt.deploymentId} ${attempt.errorCode ?? 'ok'} ${answer?.usage?.outputTokens ?? '-'}`);
              },
            };
          },
        },
      },
    );
    const planned = (id: string) =>
      ({ candidate: { modelName: 'fast', deployment: { id, providerId: 'p', upstreamModel: `up-${id}` } }, upstreamRequest: { messages: [] }, retry: 0, backoffMs: 0, startedAt: 1_000, timer: { signal: new AbortController().signal, elapsedMs: () => 3 } }) as unknown as PlannedAttempt;
    const plan = [planned('d1'), planned('d2')];
    const run = { next: async () => plan.shift() ?? null } as unknown as RouteRun;
    const signal = new AbortController().signal;

    const first = (await metered.next(run, signal))!;
    metered.chunkSent();
    metered.attemptEnded(first, null, { usage, responseId: 'resp-1', finishReason: { unified: 'STOP', raw: 'end_turn' }, timeToFirstChunkMs: 5 });
    const second = (await metered.next(run, signal))!;
    metered.chunkSent();
    metered.chunkSent();
    await metered.end(signal, true);

    expect(starts.map((start) => [start.operation, start.deploymentId, start.upstreamModel, start.streamed])).toEqual([
      ['chat', 'd1', 'up-d1', true],
      ['chat', 'd2', 'up-d2', true],
    ]);
    expect(starts[1]!.signal).toBe(second.timer.signal);
    expect(seen).toEqual(['chunk d1', 'ended d1 ok 100', 'chunk d2', 'chunk d2', 'ended d2 CANCELLED 0']);
    expect(listed[0]).toMatchObject({ deploymentId: 'd1', responseId: 'resp-1', finishReason: 'end_turn' });
    expect(metered.attempts).toEqual([listed[0]]);
  });
});

describe('attemptFailure (cancel vs timeout, in one place)', () => {
  const upstreamError = new UpstreamError('502 from upstream');
  const abortThrown = new DOMException('aborted', 'AbortError');

  it("is the client's cancel when the request's signal aborted, even when the attempt's timer had fired", () => {
    const signal = AbortSignal.abort();
    expect(attemptFailure(abortThrown, { timeout: new TimeoutError('too slow') }, signal)).toBeInstanceOf(CancelledError);
  });

  it("is the gateway's own end of the request (shutdown) when that aborted it", () => {
    const signal = AbortSignal.abort(new ServerShutdownError());
    expect(attemptFailure(abortThrown, { timeout: null }, signal).code).toBe('SERVER_SHUTDOWN');
  });

  it("is the attempt's timeout when its timer fired and the call failed with the abort it caused", () => {
    const timeout = new TimeoutError('d1 sent no token within 100 ms');
    expect(attemptFailure(abortThrown, { timeout }, new AbortController().signal)).toBe(timeout);
  });

  it('is what the upstream said otherwise; anything else is an internal error', () => {
    const signal = new AbortController().signal;
    expect(attemptFailure(upstreamError, { timeout: null }, signal)).toBe(upstreamError);
    expect(attemptFailure(new Error('bug'), { timeout: null }, signal).code).toBe('INTERNAL');
  });
});

describe('settlement of failed attempts', () => {
  function setup(adapter: ProviderAdapter) {
    const catalog = new CatalogService({ models: [], providers: [{ id: 'p', name: 'P', kind: 'mock', protocol: 'mock', baseUrl: null, configured: true, supports: { chat: true, streaming: true, tools: false, vision: false, embeddings: false } }] });
    const deployments = new DeploymentTable(catalog, [
      { id: 'd1', modelName: 'm', providerId: 'p', upstreamModel: 'up', weight: 1, priority: 0, timeoutMs: null, pricing, contextLength: null, maxOutputTokens: 1000 },
    ]);
    const records: UsageRecord[] = [];
    const settled: Array<{ cost: bigint; tokens: number }> = [];
    const service = new CompletionService({
      deployments,
      adapters: new Map([['p', adapter]]),
      clock: { now: () => Date.now() },
      newId: () => 'gen-1',
      usage: { record: (record) => records.push(record) },
      admission: recordingAdmission(settled),
      router: { defaults: { retries: noRetries } },
    });
    return { service, records, settled };
  }
  const request = { model: 'm', parameters: { messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello' }] }] } };

  it('settles a failed single answer at nothing and lists the failed attempt with its upstream status', async () => {
    const { service, records, settled } = setup({
      generate: async () => {
        throw new UpstreamError('bad gateway', { upstreamStatus: 502 });
      },
      async *stream() {},
    });
    await expect(service.create(request, new AbortController().signal)).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(settled).toEqual([{ cost: 0n, tokens: 0 }]);
    expect(records[0]).toMatchObject({ status: 'ERROR', errorCode: 'UPSTREAM_ERROR', cost: 0n, model: null });
    expect(records[0]!.attempts).toMatchObject([{ deploymentId: 'd1', errorCode: 'UPSTREAM_ERROR', upstreamStatus: 502, retry: 0, backoffMs: 0 }]);
  });

  it('settles a stream that failed after its first content at what it produced, and says so in its terminal event', async () => {
    const { service, records, settled } = setup({
      generate: async () => {
        throw new Error('not used');
      },
      async *stream() {
        yield { type: 'text-delta', text: 'forty characters of a partial answer....' };
        yield { type: 'error', error: new UpstreamError('connection reset') };
      },
    });
    const events = [];
    for await (const event of service.stream(request, new AbortController().signal)) events.push(event);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_ERROR' } });
    const record = records[0]!;
    expect(record).toMatchObject({ status: 'ERROR', errorCode: 'UPSTREAM_ERROR', model: 'm', streamed: true, cancelledByClient: false });
    expect(record.usage.outputTokens).toBe(10);
    expect(record.cost).toBeGreaterThan(0n);
    expect(last.type === 'error' && last.cost).toBe(record.cost);
    expect(settled).toEqual([{ cost: record.cost, tokens: record.usage.inputTokens + record.usage.outputTokens }]);
  });
});
