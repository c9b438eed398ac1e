// The Embeddings route of the OpenAI simulator (POST /v1/embeddings, and Azure's
// /deployments/{deployment}/embeddings?api-version=...) in OpenAI's wire format: the `list` of
// `embedding` objects, float arrays or base64 float32 as encoding_format asks, and usage with
// prompt_tokens (OpenAI API reference, "Create embeddings", "The embedding object").
import { embeddingsRoute, simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import type { RecordedRequest } from '../helpers/upstream-scenario.ts';

/** text-embedding-3-small's length when `dimensions` is not given. */
export const openAISimulatedDimensions = 1536;

export function isOpenAIEmbeddingsRoute(request: RecordedRequest): boolean {
  const path = request.url.split('?')[0]!;
  return path === '/v1/embeddings' || /^\/v1\/deployments\/[^/]+\/embeddings$/.test(path);
}

/** Answers an embeddings request; `writeError` writes the simulator's `{"error":{...}}` body. */
export const respondToOpenAIEmbeddings = embeddingsRoute(validate, ({ request, response }) => {
  const body = request.body as { model: string; input: string | string[]; dimensions?: number; encoding_format?: string };
  const texts = typeof body.input === 'string' ? [body.input] : body.input;
  const dimensions = body.dimensions ?? openAISimulatedDimensions;
  const tokens = simulatedTokenTotal(texts);
  const data = texts.map((text, index) => {
    const vector = simulatedVector(text, dimensions);
    return { object: 'embedding', index, embedding: body.encoding_format === 'base64' ? base64Float32(vector) : vector };
  });
  // Answered in reverse order: `index`, not the position, says which input a vector embeds.
  const answer = { object: 'list', data: data.reverse(), model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_sim_embeddings' }).end(JSON.stringify(answer));
});

function validate(request: RecordedRequest): { status: number; message: string } | undefined {
  if (request.method !== 'POST') return { status: 404, message: `Invalid URL (${request.method} ${request.url})` };
  const authorization = request.headers.authorization;
  const apiKey = request.headers['api-key'];
  if (!(typeof authorization === 'string' && authorization.startsWith('Bearer ')) && typeof apiKey !== 'string') {
    return { status: 401, message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth." };
  }
  if (request.url.includes('/deployments/') && !/[?&]api-version=/.test(request.url)) return { status: 404, message: 'Resource not found' };
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return { status: 400, message: 'We could not parse the JSON body of your request.' };
  if (typeof body.model !== 'string') return { status: 400, message: 'you must provide a model parameter' };
  const input = body.input;
  const texts = typeof input === 'string' ? [input] : input;
  if (!Array.isArray(texts) || texts.length === 0 || !texts.every((text) => typeof text === 'string' && text.length > 0)) {
    return { status: 400, message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference." };
  }
  if (body.encoding_format != null && body.encoding_format !== 'float' && body.encoding_format !== 'base64') {
    return { status: 400, message: "Invalid value for 'encoding_format': must be 'float' or 'base64'." };
  }
  if (body.dimensions != null && (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1)) {
    return { status: 400, message: "Invalid value for 'dimensions': must be a positive integer." };
  }
  return undefined;
}

function base64Float32(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
