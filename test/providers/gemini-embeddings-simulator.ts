// The embeddings routes of the Gemini simulator (models.embedContent and models.batchEmbedContents,
// https://ai.google.dev/api/embeddings) in the Gemini API's wire format: `{embedding:{values}}` and
// `{embeddings:[{values}]}`, with no token usage, as the Gemini API answers.
import { type EmbeddingsExchange, playFailureScenario, simulatedVector } from '../helpers/simulated-embeddings.ts';
import type { Scenario } from '../helpers/upstream-scenario.ts';

/** gemini-embedding-001's length when outputDimensionality is not given. */
export const geminiSimulatedDimensions = 3072;

const taskTypes = new Set(['RETRIEVAL_QUERY', 'RETRIEVAL_DOCUMENT', 'SEMANTIC_SIMILARITY', 'CLASSIFICATION', 'CLUSTERING', 'QUESTION_ANSWERING', 'FACT_VERIFICATION', 'CODE_RETRIEVAL_QUERY']);

export function parseGeminiEmbeddingsRoute(url: string): { model: string; batch: boolean } | undefined {
  const match = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents)$/.exec(new URL(url, 'http://simulator').pathname);
  return match === null ? undefined : { model: match[1]!, batch: match[2] === 'batchEmbedContents' };
}

export interface GeminiEmbeddingsWire {
  authenticated: boolean;
  /** Writes a google.rpc.Status error body. */
  writeError(status: number, message: string): void;
  /** Writes a scenario's error as the chat routes do (RetryInfo on 429). */
  writeScenarioError(scenario: Extract<Scenario, { kind: 'error' }>): void;
}

export function respondToGeminiEmbeddings(
  exchange: EmbeddingsExchange,
  route: { model: string; batch: boolean },
  wire: GeminiEmbeddingsWire,
): void {
  const { request, response } = exchange;
  if (request.method !== 'POST') return wire.writeError(404, `The requested URL ${request.url} was not found on this server.`);
  if (!wire.authenticated) return wire.writeError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  const parsed = parseBody(request.body, route);
  if (typeof parsed === 'string') return wire.writeError(400, parsed);
  if (playFailureScenario(exchange, wire.writeScenarioError)) return;
  const embeddings = parsed.map(({ text, dimensions }) => ({ values: simulatedVector(text, dimensions ?? geminiSimulatedDimensions) }));
  const answer = route.batch ? { embeddings } : { embedding: embeddings[0] };
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(answer));
}

/** The texts to embed, or the INVALID_ARGUMENT message the real API would give. */
function parseBody(body: unknown, route: { model: string; batch: boolean }): Array<{ text: string; dimensions: number | undefined }> | string {
  if (typeof body !== 'object' || body === null) return 'Invalid JSON payload received.';
  const requests = route.batch ? (body as { requests?: unknown }).requests : [body];
  if (!Array.isArray(requests) || requests.length === 0) return '* BatchEmbedContentsRequest.requests: requests must not be empty.';
  const parsed: Array<{ text: string; dimensions: number | undefined }> = [];
  for (const [index, item] of requests.entries()) {
    const request = item as { model?: unknown; content?: { parts?: Array<{ text?: unknown }> }; taskType?: unknown; outputDimensionality?: unknown };
    if (route.batch && request.model !== `models/${route.model}`) {
      return `* BatchEmbedContentsRequest.requests[${index}].model: The model in the request (${String(request.model)}) must match the model of the batch (models/${route.model}).`;
    }
    const text = request.content?.parts?.[0]?.text;
    if (typeof text !== 'string' || text.length === 0) return `* EmbedContentRequest.content: contents.parts must not be empty.`;
    if (request.taskType !== undefined && !taskTypes.has(String(request.taskType))) return `Invalid value at 'task_type' (${String(request.taskType)})`;
    const dimensions = request.outputDimensionality;
    if (dimensions !== undefined && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) return `Invalid value at 'output_dimensionality'`;
    parsed.push({ text, dimensions: dimensions as number | undefined });
  }
  return parsed;
}
