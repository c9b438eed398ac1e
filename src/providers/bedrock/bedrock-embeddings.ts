// The Amazon Bedrock embeddings adapter: POST {endpoint}/model/{modelId}/invoke, SigV4-signed (or
// with a Bedrock API key) like the Converse adapter. Titan Text Embeddings take one text per call,
// so several inputs are sent as concurrent calls (a few at a time) and their counts summed; Cohere
// Embed takes them all in one call and reports its count in a response header.
import { systemClock, type Clock } from '../../core/ports.ts';
import type { EmbeddingAdapter, EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.ts';
import type { CohereEmbedResponseWire } from '../cohere/cohere-embeddings-wire.ts';
import { buildCohereEmbedBody, mapCohereEmbedResponse } from '../cohere/map-cohere-embeddings.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { postEmbeddingRequest, tokenCount, type EmbeddingAnswer } from '../shared/post-embedding-request.ts';
import { bedrockError } from './bedrock-error.ts';
import { bedrockInputTokenCountHeader, type TitanEmbeddingResponseWire } from './bedrock-embeddings-wire.ts';
import { bedrockRuntimeUrl } from './create-bedrock-adapter.ts';
import { bedrockEmbeddingFamily, buildTitanEmbeddingRequest, mapTitanEmbeddingResponse } from './map-bedrock-embeddings.ts';
import { createAwsRequestSigner, type AwsCredentials } from './sign-aws-request.ts';

export interface BedrockEmbeddingOptions extends AdapterOptions {
  region: string;
  /** IAM credentials for SigV4. When absent, `apiKey` is sent as a Bedrock API key (bearer token). */
  credentials?: AwsCredentials;
  /** The signing clock; injected by tests. */
  clock?: Clock;
  /** Titan calls in flight at once for one request (default 8). */
  titanConcurrency?: number;
}

export function createBedrockEmbeddingAdapter(options: BedrockEmbeddingOptions): EmbeddingAdapter {
  const providerId = options.providerId;
  const baseUrl = (options.baseUrl ?? bedrockRuntimeUrl(options.region)).replace(/\/+$/, '');
  const clock = options.clock ?? systemClock;
  const sign = options.credentials === undefined ? undefined : createAwsRequestSigner({ credentials: options.credentials, region: options.region, service: 'bedrock' });

  function invoke(model: string, body: unknown, signal: AbortSignal): Promise<EmbeddingAnswer> {
    // Model ids may be ARNs or inference-profile ids with ':' and '/', so the id is one encoded path segment.
    const url = `${baseUrl}/model/${encodeURIComponent(model)}/invoke`;
    const text = JSON.stringify(body);
    const headers = { ...options.headers, 'content-type': 'application/json', accept: 'application/json' };
    return postEmbeddingRequest({
      http: options.http,
      url,
      headers: async () => {
        if (sign !== undefined) return sign({ method: 'POST', url, headers, body: text }, new Date(clock.now()));
        return options.apiKey === undefined ? headers : { ...headers, authorization: `Bearer ${options.apiKey}` };
      },
      body,
      signal,
      providerId,
      upstreamName: 'Amazon Bedrock',
      toStatusError: ({ status, headers: responseHeaders, text: errorText }) => bedrockError({ providerId, status, headers: responseHeaders, body: errorText }),
    });
  }

  async function embedWithTitan(request: EmbeddingRequest, family: 'titan-v2' | 'titan-v1', signal: AbortSignal): Promise<EmbeddingResult> {
    const bodies = request.input.map((text) => buildTitanEmbeddingRequest(request, text, family, providerId));
    // One failed call fails the request: the others are aborted rather than left to finish.
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      const answers = await mapConcurrently(bodies, options.titanConcurrency ?? 8, async (body) => {
        const { body: answer } = await invoke(request.model, body, controller.signal);
        return mapTitanEmbeddingResponse(answer as TitanEmbeddingResponseWire, providerId);
      }).catch((error: unknown) => {
        controller.abort();
        throw error;
      });
      const counts = answers.map((answer) => answer.inputTokens);
      const inputTokens = counts.every((count): count is number => count !== null) ? counts.reduce((sum, count) => sum + count, 0) : null;
      return { vectors: answers.map((answer) => answer.vector), usage: inputTokens === null ? null : { inputTokens }, model: null };
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async function embedWithCohere(request: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
    const answer = await invoke(request.model, buildCohereEmbedBody(request), signal);
    const header = answer.headers[bedrockInputTokenCountHeader];
    const raw = Array.isArray(header) ? header[0] : header;
    const counted = raw === undefined || raw.trim() === '' ? null : tokenCount(Number(raw));
    return mapCohereEmbedResponse(answer.body as CohereEmbedResponseWire, request.input.length, providerId, counted);
  }

  return {
    async embed(request, signal) {
      const family = bedrockEmbeddingFamily(request.model, providerId);
      return family === 'cohere' ? embedWithCohere(request, signal) : embedWithTitan(request, family, signal);
    },
  };
}

/** Maps items with at most `limit` calls in flight, keeping their order; rejects with the first failure. */
async function mapConcurrently<Item, Result>(items: readonly Item[], limit: number, map: (item: Item) => Promise<Result>): Promise<Result[]> {
  const results = new Array<Result>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await map(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
