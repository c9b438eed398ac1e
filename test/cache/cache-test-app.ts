// The response cache's test app: the REST test app (real HTTP, the OpenAI simulator upstream) with
// `cache` enabled, on each database case, and on Redis when TEST_REDIS_URL is set.
import type { CacheConfig } from '../../src/config/cache-schema.ts';
import { cacheConfigSchema } from '../../src/config/cache-schema.ts';
import type { DatabaseCase } from '../helpers/databases.ts';
import { databaseCases } from '../helpers/databases.ts';
import { testRedisUrl } from '../helpers/redis-suite.ts';
import { startRestTestApp, type RestTestContext } from '../http/rest-test-app.ts';

export interface CacheCase {
  name: string;
  databaseCase: DatabaseCase;
  redisUrl: string | undefined;
}

/** PGlite always; Postgres with TEST_DATABASE_URL; Redis (on PGlite) with TEST_REDIS_URL. */
export const cacheCases: CacheCase[] = [
  ...databaseCases.map((databaseCase) => ({ name: databaseCase.name, databaseCase, redisUrl: undefined })),
  ...(testRedisUrl ? [{ name: 'redis', databaseCase: databaseCases[0]!, redisUrl: testRedisUrl }] : []),
];

export function cacheConfig(overrides: Partial<CacheConfig> = {}): CacheConfig {
  return { ...cacheConfigSchema.parse({ enabled: true }), ...overrides };
}

export function startCacheTestApp(cacheCase: CacheCase, cache: Partial<CacheConfig> = {}): Promise<RestTestContext> {
  return startRestTestApp({ databaseCase: cacheCase.databaseCase, config: { cache: cacheConfig(cache), redisUrl: cacheCase.redisUrl } });
}

/** A chat completion body unlike any other test's (the Redis store is shared across runs). */
export function chatBody(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-test', messages: [{ role: 'user', content: `${text} ${Math.random()}` }], temperature: 0, ...extra };
}

export async function postChat(context: RestTestContext, body: unknown, headers: Record<string, string> = {}, apiKey = context.apiKey) {
  const response = await fetch(`${context.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, cache: response.headers.get('x-modelgraph-cache'), generationId: response.headers.get('x-modelgraph-generation-id'), text: await response.text() };
}

/** The text and tool calls of an SSE chat completion stream, as one message. */
export function assembleStream(text: string): { content: string; toolCalls: Array<{ id: string; name: string; arguments: string }>; finish: string | null; done: boolean } {
  let content = '';
  let finish: string | null = null;
  const toolCalls: Array<{ id: string; name: string; arguments: string }> = [];
  let done = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice(6);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data) as { choices: Array<{ delta: { content?: string; tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments?: string } }> }; finish_reason: string | null }> };
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) {
        toolCalls[call.index] ??= { id: '', name: '', arguments: '' };
        const into = toolCalls[call.index]!;
        if (call.id) into.id = call.id;
        if (call.function.name) into.name = call.function.name;
        into.arguments += call.function.arguments ?? '';
      }
      finish = choice.finish_reason ?? finish;
    }
  }
  return { content, toolCalls, finish, done };
}
