// POST /v1/embeddings: Embeddings in, the same EmbeddingService as GraphQL, Embeddings out (float
// arrays, or base64 float32 as the official SDKs ask for by default).
import type { EmbeddingService } from '../../core/embedding-service.ts';
import type { Clock } from '../../core/ports.ts';
import { cacheFields } from '../shared/cache-directives.ts';
import { describeZodError } from '../shared/describe-zod-error.ts';
import { generationIdHeader } from '../shared/header-names.ts';
import { meteringFields } from '../shared/rate-limit-headers.ts';
import type { RestEndpoint } from '../shared/rest-exchange.ts';
import { invalidField } from '../shared/rest-request-error.ts';
import { writeJson } from '../shared/write-json.ts';
import { buildOpenAIEmbeddingsResponse } from './build-openai-embeddings-response.ts';
import { openAIEmbeddingsRequestSchema } from './openai-embeddings-request-schema.ts';

export interface EmbeddingsEndpointServices {
  embeddings: Pick<EmbeddingService, 'create'>;
  clock: Clock;
}

export function createEmbeddingsEndpoint(services: EmbeddingsEndpointServices): RestEndpoint {
  return async (exchange) => {
    const input = (exchange.body as { input?: unknown } | null)?.input;
    if (Array.isArray(input) && input.some((item) => typeof item === 'number' || Array.isArray(item))) {
      throw invalidField('input', 'token arrays are not supported by this gateway; send the text');
    }
    const parsed = openAIEmbeddingsRequestSchema.safeParse(exchange.body);
    if (!parsed.success) throw describeZodError(parsed.error);
    const body = parsed.data;
    const outcome = await services.embeddings.create(
      {
        model: body.model,
        input: typeof body.input === 'string' ? [body.input] : body.input,
        ...(body.dimensions != null ? { dimensions: body.dimensions } : {}),
        ...(body.user != null ? { user: body.user } : {}),
        ...(exchange.caller ? { caller: exchange.caller } : {}),
        ...meteringFields(exchange, services.clock),
        ...cacheFields(exchange.request, exchange.response, exchange.body, { bodyField: true }),
      },
      exchange.signal,
    );
    writeJson(exchange.response, 200, buildOpenAIEmbeddingsResponse(outcome, body.encoding_format ?? 'float'), { [generationIdHeader]: outcome.generationId });
  };
}
