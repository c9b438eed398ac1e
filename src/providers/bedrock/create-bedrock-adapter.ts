// The Amazon Bedrock Converse adapter: POST {endpoint}/model/{modelId}/converse and
// /converse-stream (AWS event-stream framing), signed with SigV4 or authorised with a Bedrock API
// key. Credentials come in as options; reading AWS_* environment variables is the config's job.
import type { EventStreamCodec } from '@smithy/core/event-streams';
import { systemClock, type Clock, type ProviderAdapter, type HttpResponse } from '../../core/ports.ts';
import type { ChatRequest } from '../../core/types.ts';
import type { AdapterOptions } from '../shared/adapter-options.ts';
import { readJsonObject } from '../shared/read-json-object.ts';
import { sendJsonRequest } from '../shared/send-json-request.ts';
import { streamResponseParts } from '../shared/stream-response-parts.ts';
import { bedrockError, bedrockTransportError } from './bedrock-error.ts';
import { createBedrockStreamDecoder } from './bedrock-stream.ts';
import type { BedrockWireConverseResponse } from './bedrock-wire.ts';
import { buildBedrockRequest } from './build-bedrock-request.ts';
import { mapBedrockResponse } from './map-bedrock-response.ts';
import { loadEventStreamCodec } from './read-bedrock-event-stream.ts';
import { createAwsRequestSigner, type AwsCredentials } from './sign-aws-request.ts';

export interface BedrockAdapterOptions extends AdapterOptions {
  /** The AWS region, e.g. "us-east-1"; picks the endpoint and is part of the signature. */
  region: string;
  /** IAM credentials for SigV4. When absent, `apiKey` is sent as a Bedrock API key (bearer token). */
  credentials?: AwsCredentials;
  /** The signing clock; injected by tests. */
  clock?: Clock;
}

/** The bedrock-runtime endpoint of a region. */
export function bedrockRuntimeUrl(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

export function createBedrockAdapter(options: BedrockAdapterOptions): ProviderAdapter {
  const providerId = options.providerId;
  const baseUrl = (options.baseUrl ?? bedrockRuntimeUrl(options.region)).replace(/\/+$/, '');
  const clock = options.clock ?? systemClock;
  // The signing name of bedrock-runtime is "bedrock".
  const sign = options.credentials === undefined ? undefined : createAwsRequestSigner({ credentials: options.credentials, region: options.region, service: 'bedrock' });

  /** Model ids may be ARNs or inference-profile ids with ':' and '/', so the id is one encoded path segment. */
  const urlFor = (model: string, stream: boolean) => `${baseUrl}/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;

  async function authorise(url: string, headers: Record<string, string>, body: string): Promise<Record<string, string>> {
    if (sign !== undefined) return sign({ method: 'POST', url, headers, body }, new Date(clock.now()));
    return options.apiKey === undefined ? headers : { ...headers, authorization: `Bearer ${options.apiKey}` };
  }

  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  async function send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse> {
    const url = urlFor(request.model, stream);
    const body = JSON.stringify(buildBedrockRequest(request));
    return sendJsonRequest({
      http: options.http,
      url,
      headers: () => authorise(url, { ...options.headers, 'content-type': 'application/json' }, body),
      body,
      signal,
      toTransportError: (error) => bedrockTransportError(error, signal, providerId),
      toStatusError: ({ status, headers, text }) => bedrockError({ providerId, status, headers, body: text }),
    });
  }

  return {
    async generate(request, signal) {
      const response = await send(request, false, signal);
      const parsed = await readJsonObject(response, {
        provider: providerId,
        toTransportError: (error) => bedrockTransportError(error, signal, providerId),
        notJsonMessage: 'Bedrock returned a response body that is not JSON',
        notObjectMessage: 'Bedrock returned a response body that is not a Converse response',
      });
      return mapBedrockResponse(parsed as BedrockWireConverseResponse, requestIdOf(response));
    },

    stream(request, signal) {
      let codec: EventStreamCodec;
      return streamResponseParts(
        async () => {
          codec = await loadEventStreamCodec();
          return send(request, true, signal);
        },
        (response) => createBedrockStreamDecoder({ providerId, signal, codec, requestId: requestIdOf(response), maxEventLength: options.http.responseLimitBytes }),
      );
    },
  };
}

function requestIdOf(response: HttpResponse): string | null {
  const value = response.headers['x-amzn-requestid'];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
