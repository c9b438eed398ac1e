// A CompletionService and an EmbeddingService sharing its router, wired to real OpenAI adapters
// over upstream simulators, with the router's clock, randomness and sleeps injected: `sleeps`
// records every backoff and advances the manual clock instead of waiting, so retry and cooldown
// tests are deterministic and fast.
import { expect } from 'vitest';
import { type Capability, type CatalogModel, CatalogService } from '../../src/core/catalog.ts';
import { CompletionService, type CompletionEvent, type CompletionRequest } from '../../src/core/completion-service.ts';
import { DeploymentTable, type Deployment } from '../../src/core/deployments.ts';
import { EmbeddingService, type EmbeddingsRequest } from '../../src/core/embedding-service.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import type { EmbeddingAdapter } from '../../src/core/embeddings.ts';
import type { UsageRecord } from '../../src/core/metering/metering-ports.ts';
import { systemClock, type ProviderAdapter } from '../../src/core/ports.ts';
import type { DeploymentHealthStore } from '../../src/core/router/deployment-health-store.ts';
import { ROUTER_ERROR_CODES, type RouterSettingsInput } from '../../src/core/router/router-settings.ts';
import { createEmbeddingAdapter, createProviderAdapter } from '../../src/providers/registry.ts';
import { createUndiciHttpClient } from '../../src/providers/shared/http-client.ts';

export class ManualClock {
  constructor(public time = Date.UTC(2025, 0, 1)) {}
  now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A deterministic PRNG (mulberry32) for the router's random source. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type DeploymentSpec = Pick<Deployment, 'id' | 'modelName' | 'providerId' | 'upstreamModel'> & Partial<Deployment>;

export function deployment(spec: DeploymentSpec): Deployment {
  return { weight: 1, priority: 0, timeoutMs: null, pricing: null, contextLength: null, maxOutputTokens: null, ...spec };
}

/** A catalog entry giving `providerId/upstreamModel` these capabilities. */
export function catalogModel(providerId: string, upstreamModel: string, capabilities: Capability[]): CatalogModel {
  return {
    id: `${providerId}/${upstreamModel}`,
    name: upstreamModel,
    providerId,
    upstreamModel,
    pricing: null,
    contextLength: null,
    maxOutputTokens: null,
    inputModalities: ['text'],
    outputModalities: ['text'],
    capabilities,
    releaseDate: null,
    simulated: false,
  };
}

export interface RouterHarnessOptions {
  /** OpenAI-protocol providers, by id, and their base URLs (simulators). */
  providers: Record<string, string>;
  deployments: DeploymentSpec[];
  router?: RouterSettingsInput;
  catalogModels?: CatalogModel[];
  health?: DeploymentHealthStore;
  random?: () => number;
  /** The real clock (for latency and deadline tests) instead of a manual one. */
  realClock?: boolean;
  /** Adapters that replace the HTTP ones, by provider id. */
  adapters?: Record<string, ProviderAdapter>;
}

export function createRouterHarness(options: RouterHarnessOptions) {
  const http = createUndiciHttpClient();
  const clock = new ManualClock();
  const sleeps: number[] = [];
  const records: UsageRecord[] = [];
  const catalog = new CatalogService({
    models: options.catalogModels ?? [],
    providers: Object.keys(options.providers).map((id) => ({ id, name: id, kind: 'openai', protocol: 'openai', baseUrl: options.providers[id]!, configured: true, supports: { chat: true, streaming: true, tools: true, vision: true, embeddings: true } })),
  });
  const deployments = new DeploymentTable(catalog, options.deployments.map(deployment));
  const adapters = new Map<string, ProviderAdapter>();
  const embeddingAdapters = new Map<string, EmbeddingAdapter>();
  for (const [id, baseUrl] of Object.entries(options.providers)) {
    adapters.set(id, options.adapters?.[id] ?? createProviderAdapter({ id, kind: 'openai', baseUrl, apiKey: 'sk-sim' }, http));
    embeddingAdapters.set(id, createEmbeddingAdapter({ id, kind: 'openai', baseUrl, apiKey: 'sk-sim' }, http)!);
  }
  let ids = 0;
  const routerClock = options.realClock ? systemClock : clock;
  const service = new CompletionService({
    deployments,
    adapters,
    clock: routerClock,
    newId: () => `gen-${++ids}`,
    usage: { record: (record) => records.push(record) },
    random: options.random ?? (() => 0.5),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...(options.router ? { router: options.router } : {}),
    ...(options.health ? { health: options.health } : {}),
  });
  const embeddings = new EmbeddingService({
    router: service.router,
    adapters: embeddingAdapters,
    clock: routerClock,
    newId: () => `gen-${++ids}`,
    usage: { record: (record) => records.push(record) },
  });
  return {
    service,
    embeddings,
    deployments,
    clock,
    sleeps,
    records,
    create: (request: Omit<CompletionRequest, 'parameters'> & { parameters?: CompletionRequest['parameters'] }, signal = new AbortController().signal) =>
      service.create({ parameters: hello, ...request }, signal),
    async stream(request: Omit<CompletionRequest, 'parameters'> & { parameters?: CompletionRequest['parameters'] }): Promise<CompletionEvent[]> {
      const events: CompletionEvent[] = [];
      for await (const event of service.stream({ parameters: hello, ...request }, new AbortController().signal)) events.push(event);
      return events;
    },
    embed: (request: Omit<EmbeddingsRequest, 'input'> & { input?: string[] }, signal = new AbortController().signal) =>
      embeddings.create({ input: ['embed this'], ...request }, signal),
    close: () => http.close(),
  };
}

/** Two deployments of `modelName` weighted 1 to 3: `light` (provider pa) and `heavy` (provider pb). */
export const weightedOneToThree = (modelName: string): DeploymentSpec[] => [
  { id: 'light', modelName, providerId: 'pa', upstreamModel: 'light', weight: 1 },
  { id: 'heavy', modelName, providerId: 'pb', upstreamModel: 'heavy', weight: 3 },
];

/** Router settings' retries with every configurable error code at 0: each failure moves on or ends the request at once. */
export const noRetries: Partial<Record<ErrorCode, number>> = Object.fromEntries(ROUTER_ERROR_CODES.map((code) => [code, 0]));

export const hello: CompletionRequest['parameters'] = { messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }], maxOutputTokens: 64 };

/**
 * Runs a request whose first deployment (`a`) hangs past its timeoutMs: `a` must time out and `b`
 * answer, in well under the 2 s a hung attempt would take. Returns the outcome.
 */
export async function timedOutThenServed<Outcome extends { attempts: Array<{ upstreamModel: string; errorCode: string | null }> }>(run: () => Promise<Outcome>): Promise<Outcome> {
  const started = Date.now();
  const outcome = await run();
  expect(outcome.attempts.map((a) => [a.upstreamModel, a.errorCode])).toEqual([
    ['a', 'TIMEOUT'],
    ['b', null],
  ]);
  expect(Date.now() - started).toBeLessThan(2000);
  return outcome;
}

/**
 * Opens a chat stream on `model` and reads it up to its first token without closing it, so that the
 * deployment serving it keeps one request in flight. Resolves with a function that ends the stream.
 */
export async function busyWithAStream(service: CompletionService, model: string): Promise<() => Promise<void>> {
  const controller = new AbortController();
  const busy = service.stream({ model, parameters: { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] } }, controller.signal);
  while ((await busy.next()).value?.type !== 'text-delta');
  return async () => {
    controller.abort();
    await busy.return(undefined);
  };
}

/** Catches a rejected promise's error (a test failure when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
