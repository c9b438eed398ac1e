// The InvokeModel route of the Bedrock simulator for embedding models (POST /model/{modelId}/invoke)
// in Bedrock's wire format: Titan Text Embeddings V2/G1 bodies (`{embedding, embeddingsByType,
// inputTextTokenCount}`, one text per call) and Cohere Embed bodies (`embeddings` by type, or a
// plain list without embedding_types), with the X-Amzn-Bedrock-Input-Token-Count header InvokeModel
// responses carry. Unknown keys are refused with a ValidationException, as Bedrock does.
import { randomUUID } from 'node:crypto';
import { type EmbeddingsExchange, playFailureScenario, simulatedTokenCount, simulatedTokenTotal, simulatedVector } from '../helpers/simulated-embeddings.ts';
import type { Scenario } from '../helpers/upstream-scenario.ts';
import { validateCohereEmbedBody } from './cohere-embeddings-simulator.ts';

/** Titan V2's and Cohere Embed v4's lengths when none is asked for. */
export const titanSimulatedDimensions = 1024;
export const bedrockCohereSimulatedDimensions = 1536;

const titanV2Keys = new Set(['inputText', 'dimensions', 'normalize', 'embeddingTypes']);
const cohereKeys = new Set(['texts', 'images', 'inputs', 'input_type', 'truncate', 'embedding_types', 'output_dimension', 'max_tokens']);

export function parseBedrockInvokeRoute(url: string): string | undefined {
  const match = /^\/model\/([^/]+)\/invoke$/.exec(url);
  return match === null ? undefined : decodeURIComponent(match[1]!);
}

export interface BedrockEmbeddingsWire {
  /** Why the request's signature or API key was refused, or undefined when it was accepted. */
  refusal: { type: string; message: string } | undefined;
  writeError(status: number, type: string, message: string): void;
  writeScenarioError(scenario: Extract<Scenario, { kind: 'error' }>): void;
}

export function respondToBedrockEmbeddings(exchange: EmbeddingsExchange, modelId: string, wire: BedrockEmbeddingsWire): void {
  const { request, response } = exchange;
  if (request.method !== 'POST') return wire.writeError(404, 'UnknownOperationException', `Unknown operation ${request.method} ${request.url}`);
  if (wire.refusal !== undefined) return wire.writeError(403, wire.refusal.type, wire.refusal.message);
  const body = request.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return wire.writeError(400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
  const answer = modelId.includes('cohere.embed') ? cohereAnswer(body) : modelId.includes('amazon.titan-embed') ? titanAnswer(body, modelId) : undefined;
  if (answer === undefined) return wire.writeError(400, 'ValidationException', `The provided model identifier is invalid.`);
  if (typeof answer === 'string') return wire.writeError(400, 'ValidationException', answer);
  if (playFailureScenario(exchange, wire.writeScenarioError)) return;
  response
    .writeHead(200, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-bedrock-input-token-count': String(answer.inputTokens),
      'x-amzn-bedrock-invocation-latency': '42',
    })
    .end(JSON.stringify(answer.body));
}

type Answer = { body: Record<string, unknown>; inputTokens: number } | string;

function titanAnswer(body: Record<string, unknown>, modelId: string): Answer {
  const v1 = /titan-embed-(text-v1|g1-text)/.test(modelId);
  const extraneous = Object.keys(body).filter((key) => !(v1 ? key === 'inputText' : titanV2Keys.has(key)));
  if (extraneous.length > 0) return `Malformed input request: extraneous key [${extraneous[0]}] is not permitted, please reformat your input and try again.`;
  if (typeof body.inputText !== 'string' || body.inputText.length === 0) return 'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.';
  if (body.dimensions !== undefined && ![256, 512, 1024].includes(body.dimensions as number)) {
    return 'Malformed input request: #/dimensions: 100 is not a valid enum value, please reformat your input and try again.';
  }
  const embedding = simulatedVector(body.inputText, (body.dimensions as number | undefined) ?? titanSimulatedDimensions);
  const inputTokens = simulatedTokenCount(body.inputText);
  return { body: { embedding, ...(v1 ? {} : { embeddingsByType: { float: embedding } }), inputTextTokenCount: inputTokens }, inputTokens };
}

function cohereAnswer(body: Record<string, unknown>): Answer {
  const extraneous = Object.keys(body).filter((key) => !cohereKeys.has(key));
  if (extraneous.length > 0) return `Malformed input request: extraneous key [${extraneous[0]}] is not permitted, please reformat your input and try again.`;
  const refusal = validateCohereEmbedBody(body, false);
  if (refusal !== undefined) return `Malformed input request: ${refusal.message}`;
  const texts = body.texts as string[];
  const vectors = texts.map((text) => simulatedVector(text, (body.output_dimension as number | undefined) ?? bedrockCohereSimulatedDimensions));
  const byType = Array.isArray(body.embedding_types);
  return {
    body: { id: randomUUID(), embeddings: byType ? { float: vectors } : vectors, response_type: byType ? 'embeddings_by_type' : 'embeddings_floats', texts },
    inputTokens: simulatedTokenTotal(texts),
  };
}
