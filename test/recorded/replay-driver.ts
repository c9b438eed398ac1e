// Recorded-response conformance: a started gateway whose every provider's upstream is the replay
// server, and one call that replays a recording through the REST path (POST /v1/chat/completions)
// and the GraphQL path (createChatCompletion, or the chatCompletionStream subscription over SSE),
// reading each answer back into one normalized shape so the two can be compared with each other
// and with what the provider's documentation says the recording means.
import { expect } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { providerSettingsSchema } from '../../src/providers/provider-settings.ts';
import { databaseCases } from '../helpers/databases.ts';
import { subscribeSse } from '../helpers/graphql-streams.ts';
import { readSseEvents } from '../helpers/sse-events.ts';
import { startTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import type { Recording } from './recordings.ts';
import { startReplayServer, type ReplayServer } from './replay-server.ts';

export interface NormalizedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  totalTokens: number;
}

/** What a client learns from one completion, whichever edge it asked. */
export interface Normalized {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  /** Unified finish reason and the provider's raw one; null when the request failed. */
  finish: { unified: string; raw: string | null } | null;
  /** Null when a non-streaming request failed (no usage is reported then). */
  usage: NormalizedUsage | null;
  /** Micro-USD. */
  cost: number | null;
  error: { code: string } | null;
}

interface ReplayDeployment {
  /** The provider id, when it is not the key. */
  id?: string;
  kind: string;
  /** The provider's base URL as a path on the replay server. */
  path: string;
  /** The upstream model. */
  model: string;
  /** Further provider settings (credentials default to an API key). */
  settings?: Record<string, string>;
}

const bedrockSettings = { region: 'us-east-1', accessKeyId: 'AKIAREPLAY0000000001', secretAccessKey: 'replay-secret' };

/** One deployment per provider kind (and Claude on Bedrock, for its reasoning), every one served by the replay server. */
const replayDeployments = {
  xai: { kind: 'xai', path: '/v1', model: 'grok-3-mini' },
  openrouter: { kind: 'openrouter', path: '/api/v1', model: 'minimax/minimax-m2:free' },
  gemini: { kind: 'gemini', path: '/v1beta', model: 'gemini-3.1-pro-preview' },
  anthropic: { kind: 'anthropic', path: '/v1', model: 'claude-opus-4-5-20251101' },
  bedrock: { kind: 'bedrock', path: '', model: 'us.amazon.nova-2-lite-v1:0', settings: bedrockSettings },
  bedrockClaude: { id: 'bedrock-claude', kind: 'bedrock', path: '', model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', settings: bedrockSettings },
  openai: { kind: 'openai', path: '/v1', model: 'gpt-4.1-nano' },
  cohere: { kind: 'cohere', path: '', model: 'command-a-03-2025' },
  deepseek: { kind: 'deepseek', path: '', model: 'deepseek-v4-flash' },
  groq: { kind: 'groq', path: '/openai/v1', model: 'llama-3.3-70b-versatile' },
  mistral: { kind: 'mistral', path: '/v1', model: 'mistral-small-latest' },
  openaiResponses: { id: 'openai-responses', kind: 'openai', path: '/v1', model: 'gpt-5.1', settings: { api: 'responses' } },
  azure: { kind: 'azure-openai', path: '/openai', model: 'model-router' },
} satisfies Record<string, ReplayDeployment>;

type ReplayKey = keyof typeof replayDeployments;
const deployments: Array<[ReplayKey, ReplayDeployment]> = Object.entries(replayDeployments) as Array<[ReplayKey, ReplayDeployment]>;
const providerIdOf = (key: ReplayKey): string => (replayDeployments[key] as ReplayDeployment).id ?? key;

/** Gateway model names (`<provider id>-replay`), one per provider kind. */
export const replayModels = Object.fromEntries(deployments.map(([key]) => [key, `${providerIdOf(key)}-replay`])) as Record<ReplayKey, string>;

/** USD per 1M tokens for every replay deployment. */
export const replayPricing = { input: 2, output: 10, cacheRead: 0.5, cacheWrite: 2.5, cacheWrite1h: 4 };

/**
 * The cost in micro-USD that replayPricing gives (core/pricing.ts: one rounding, half up).
 * `cacheWrite1hTokens` (not exposed by either edge) is the part of the writes made for one hour.
 */
export function expectedCost(
  usage: Pick<NormalizedUsage, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'cacheWriteTokens'>,
  cacheWrite1hTokens = 0,
): number {
  const uncached = usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens;
  const writes = (usage.cacheWriteTokens - cacheWrite1hTokens) * 2.5 + cacheWrite1hTokens * 4;
  return Math.floor(uncached * 2 + usage.cachedInputTokens * 0.5 + writes + usage.outputTokens * 10 + 0.5);
}

export interface ReplayHarness {
  replay: ReplayServer;
  app: TestApp;
  /** POST /v1/chat/completions answered by the recording; `messages` default to one user "Hi". */
  restResponse(model: string, recording: Recording, messages?: unknown[]): Promise<Response>;
  rest(model: string, recording: Recording): Promise<Normalized>;
  graphql(model: string, recording: Recording): Promise<Normalized>;
  /** The reasoning blocks GraphQL returns (ChatCompletion.output, or the stream's ChatReasoningBlock events). */
  graphqlReasoningBlocks(model: string, recording: Recording): Promise<GraphqlReasoningBlock[]>;
  /** Replays through both edges, checks they agree, and returns the REST result. */
  both(model: string, recording: Recording): Promise<Normalized>;
  stop(): Promise<void>;
}

export async function startReplayHarness(): Promise<ReplayHarness> {
  const replay = await startReplayServer();
  const database: Database = await databaseCases[0]!.open();
  const base = replay.origin;
  const app = await startTestApp(
    testConfig({
      providers: deployments.map(([key, { kind, path, settings }]) =>
        providerSettingsSchema.parse({ id: providerIdOf(key), kind, baseUrl: `${base}${path}`, ...(settings?.accessKeyId ? {} : { apiKey: `${key}-replay-key` }), ...settings }),
      ),
      models: deployments.map(([key, { model }]) => ({ name: replayModels[key], provider: providerIdOf(key), model, pricing: replayPricing })),
    }),
    database,
  );
  const { secret } = await app.createKey({ name: 'replay', scopes: ['INFERENCE'] });

  /** The createChatCompletion mutation's answer, or for a streamed recording the subscription's events. */
  async function askGraphql(operations: GraphqlOperations, model: string, recording: Recording): Promise<{ completion: any } | { events: any[] }> {
    replay.play(recording);
    const input = { model, messages: [{ role: 'USER', content: 'Hi' }] };
    if (recording.stream) return { events: await subscribeSse(app.graphqlUrl, operations.subscription, { input }) };
    const answer = await app.graphql(operations.mutation, { input });
    if (answer.errors) throw new Error(JSON.stringify(answer.errors));
    return { completion: answer.data.createChatCompletion };
  }

  const harness: ReplayHarness = {
    replay,
    app,
    restResponse(model, recording, messages = [{ role: 'user', content: 'Hi' }]) {
      replay.play(recording);
      return fetch(`${app.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ model, messages, stream: recording.stream }),
      });
    },
    async rest(model, recording) {
      const response = await harness.restResponse(model, recording);
      if (!recording.stream || !response.headers.get('content-type')?.startsWith('text/event-stream')) return readRestBody(await response.json());
      return readRestStream(response.body as unknown as AsyncIterable<Uint8Array>);
    },
    async graphql(model, recording) {
      const answer = await askGraphql(completionOperations, model, recording);
      return 'events' in answer ? readGraphqlEvents(answer.events) : readGraphqlCompletion(answer.completion);
    },
    async graphqlReasoningBlocks(model, recording) {
      const answer = await askGraphql(reasoningBlockOperations, model, recording);
      if (!('events' in answer)) return answer.completion.output.reasoningBlocks;
      return answer.events.flatMap(({ chatCompletionStream: event }) => (event.__typename === 'ChatReasoningBlock' ? [event.block] : []));
    },
    async both(model, recording) {
      const rest = await harness.rest(model, recording);
      const graphql = await harness.graphql(model, recording);
      expect(withoutMintedIds(graphql)).toEqual(withoutMintedIds(rest));
      return rest;
    },
    async stop() {
      await app.stop();
      await replay.close();
      await database.close();
    },
  };
  return harness;
}

const usageFields = 'inputTokens outputTokens cachedInputTokens cacheWriteTokens reasoningTokens totalTokens';
interface GraphqlOperations {
  mutation: string;
  subscription: string;
}

const completionMutation = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) {
  __typename
  ... on ChatCompletion { output { content reasoning toolCalls { id name arguments } } finishReason { unified raw } usage { ${usageFields} } cost }
  ... on GatewayError { code message }
} }`;
const streamSubscription = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename
  ... on ChatTextDelta { text }
  ... on ChatReasoningDelta { text }
  ... on ChatToolCallDelta { index toolCallId toolName argumentsDelta }
  ... on ChatCompletionCompleted { finishReason { unified raw } usage { ${usageFields} } cost }
  ... on ChatCompletionFailed { code usage { ${usageFields} } cost }
} }`;
const completionOperations: GraphqlOperations = { mutation: completionMutation, subscription: streamSubscription };

export interface GraphqlReasoningBlock {
  text: string | null;
  signature: string | null;
  redactedData: string | null;
}

const reasoningBlockFields = 'text signature redactedData';
const reasoningBlocksMutation = `mutation($input: ChatCompletionInput!) { createChatCompletion(input: $input) {
  ... on ChatCompletion { output { reasoningBlocks { ${reasoningBlockFields} } } }
} }`;
const reasoningBlocksSubscription = `subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) {
  __typename
  ... on ChatReasoningBlock { block { ${reasoningBlockFields} } }
} }`;
const reasoningBlockOperations: GraphqlOperations = { mutation: reasoningBlocksMutation, subscription: reasoningBlocksSubscription };

const micro = (usd: string | number | null | undefined): number | null => (usd === null || usd === undefined ? null : Math.round(Number(usd) * 1e6));

function empty(): Normalized {
  return { text: '', reasoning: '', toolCalls: [], finish: null, usage: null, cost: null, error: null };
}

function readGraphqlCompletion(result: any): Normalized {
  const normalized = empty();
  if (result.__typename === 'GatewayError') return { ...normalized, error: { code: result.code } };
  normalized.text = result.output.content ?? '';
  normalized.reasoning = result.output.reasoning ?? '';
  normalized.toolCalls = result.output.toolCalls;
  normalized.finish = result.finishReason;
  normalized.usage = result.usage;
  normalized.cost = micro(result.cost);
  return normalized;
}

function readGraphqlEvents(events: any[]): Normalized {
  const normalized = empty();
  for (const { chatCompletionStream: event } of events) {
    switch (event.__typename) {
      case 'ChatTextDelta':
        normalized.text += event.text;
        break;
      case 'ChatReasoningDelta':
        normalized.reasoning += event.text;
        break;
      case 'ChatToolCallDelta': {
        const call = (normalized.toolCalls[event.index] ??= { id: '', name: '', arguments: '' });
        if (event.toolCallId) call.id = event.toolCallId;
        if (event.toolName) call.name = event.toolName;
        call.arguments += event.argumentsDelta;
        break;
      }
      case 'ChatCompletionCompleted':
        normalized.finish = event.finishReason;
        normalized.usage = event.usage;
        normalized.cost = micro(event.cost);
        break;
      case 'ChatCompletionFailed':
        normalized.error = { code: event.code };
        normalized.usage = event.usage;
        normalized.cost = micro(event.cost);
        break;
    }
  }
  return normalized;
}

/** OpenAI's finish_reason values back to the unified ones (map-finish-reason-to-openai.ts, reversed). */
const unifiedFinish: Record<string, string> = { stop: 'STOP', length: 'LENGTH', tool_calls: 'TOOL_CALLS', content_filter: 'CONTENT_FILTER', error: 'ERROR' };
const finishOf = (choice: any) => ({ unified: unifiedFinish[choice.finish_reason] ?? 'OTHER', raw: choice.native_finish_reason ?? null });
const errorCode = (error: any) => ({ code: error.code === 'rate_limit_exceeded' ? 'RATE_LIMITED' : String(error.code).toUpperCase() });

function restUsage(usage: any): NormalizedUsage {
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    cachedInputTokens: usage.prompt_tokens_details.cached_tokens,
    cacheWriteTokens: usage.prompt_tokens_details.cache_write_tokens,
    reasoningTokens: usage.completion_tokens_details.reasoning_tokens,
    totalTokens: usage.total_tokens,
  };
}

function readRestBody(body: any): Normalized {
  const normalized = empty();
  if (body.error) return { ...normalized, error: errorCode(body.error) };
  const choice = body.choices[0];
  normalized.text = choice.message.content ?? '';
  normalized.reasoning = choice.message.reasoning ?? '';
  normalized.toolCalls = (choice.message.tool_calls ?? []).map((call: any) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
  normalized.finish = finishOf(choice);
  normalized.usage = restUsage(body.usage);
  normalized.cost = micro(body.usage.cost);
  return normalized;
}

async function readRestStream(body: AsyncIterable<Uint8Array>): Promise<Normalized> {
  const normalized = empty();
  for await (const event of readSseEvents(body)) {
    if (event.data === '[DONE]') break;
    const chunk = JSON.parse(event.data);
    if (chunk.error) {
      normalized.error = errorCode(chunk.error);
      normalized.finish = null;
      continue;
    }
    if (chunk.usage) {
      normalized.usage = restUsage(chunk.usage);
      normalized.cost = micro(chunk.usage.cost);
    }
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = choice.delta ?? {};
    if (delta.content) normalized.text += delta.content;
    if (delta.reasoning) normalized.reasoning += delta.reasoning;
    for (const piece of delta.tool_calls ?? []) {
      const call = (normalized.toolCalls[piece.index] ??= { id: '', name: '', arguments: '' });
      if (piece.id) call.id = piece.id;
      if (piece.function?.name) call.name = piece.function.name;
      call.arguments += piece.function?.arguments ?? '';
    }
    if (choice.finish_reason) normalized.finish = finishOf(choice);
  }
  return normalized;
}

/** Ids the gateway mints for calls the upstream sent without one (call_<index>_<random>) differ per request. */
export function withoutMintedIds(result: Normalized): Normalized {
  return { ...result, toolCalls: result.toolCalls.map((call) => ({ ...call, id: call.id.replace(/^(call_\d+_)[0-9a-f]+$/, '$1minted') })) };
}
