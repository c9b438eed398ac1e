// The embeddings route of the Cohere simulator (POST /v2/embed, https://docs.cohere.com/reference/embed)
// in Cohere's wire format: `embeddings` by type (`float`), the texts, and meta.billed_units.input_tokens.
import { randomUUID } from 'node:crypto';
import { embeddingsRoute, simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import type { RecordedRequest } from '../helpers/upstream-scenario.ts';

/** embed-v4.0's length when output_dimension is not given. */
export const cohereSimulatedDimensions = 1536;

export const cohereInputTypes = new Set(['search_document', 'search_query', 'classification', 'clustering', 'image']);
export const cohereEmbeddingTypes = new Set(['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64']);
export const cohereOutputDimensions = new Set([256, 512, 1024, 1536]);

export function isCohereEmbeddingsRoute(request: RecordedRequest): boolean {
  return request.url === '/v2/embed';
}

/** Answers an embed request; `writeError` writes the simulator's `{"id","message"}` body. */
export const respondToCohereEmbeddings = embeddingsRoute(validate, ({ request, response }) => {
  const body = request.body as { texts: string[]; output_dimension?: number };
  const dimensions = body.output_dimension ?? cohereSimulatedDimensions;
  const answer = {
    id: randomUUID(),
    embeddings: { float: body.texts.map((text) => simulatedVector(text, dimensions)) },
    texts: body.texts,
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: simulatedTokenTotal(body.texts) } },
    response_type: 'embeddings_by_type',
  };
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': randomUUID() }).end(JSON.stringify(answer));
});

/** The checks the real API makes first, so a malformed request fails loudly. */
function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST') return { status: 404, message: `Not Found: ${request.method} ${request.url}` };
  const authorization = request.headers.authorization;
  if (typeof authorization !== 'string' || !/^Bearer \S+$/.test(authorization)) return { status: 401, message: 'no api key supplied' };
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'invalid request: body must be JSON' };
  return validateCohereEmbedBody(body, true);
}

/** Cohere's embed body rules, shared with Cohere Embed on the Bedrock simulator (which takes no `model`). */
export function validateCohereEmbedBody(body: Record<string, unknown>, withModel: boolean): { status: number; message: string } | undefined {
  if (withModel && typeof body.model !== 'string') return { status: 400, message: 'invalid request: model must be a string' };
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.length === 0 || texts.length > 96 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
    return { status: 400, message: 'invalid request: texts must be a list of 1 to 96 non-empty strings' };
  }
  if (typeof body.input_type !== 'string' || !cohereInputTypes.has(body.input_type)) {
    return { status: 400, message: 'invalid request: valid input_type must be provided with the provided model' };
  }
  const types = body.embedding_types;
  if (types !== undefined && (!Array.isArray(types) || !types.every((type) => cohereEmbeddingTypes.has(String(type))))) {
    return { status: 400, message: 'invalid request: embedding_types must be a list of float, int8, uint8, binary, ubinary or base64' };
  }
  if (body.output_dimension !== undefined && !cohereOutputDimensions.has(body.output_dimension as number)) {
    return { status: 400, message: 'invalid request: output_dimension must be one of 256, 512, 1024, 1536' };
  }
  return undefined;
}
