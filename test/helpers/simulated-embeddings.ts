// What the upstream simulators answer for embeddings: a deterministic vector per text (so tests
// can compute the expected answer) whose values are exact in float32 (k/1024 with |k| <= 1000, so
// base64 float32 round-trips exactly), and a token count that differs from the gateway's own
// estimate (so tests can tell a reported count from an estimated one).
import { createHash } from 'node:crypto';
import type { SimulatorResponder } from './simulator-server.ts';
import type { RecordedRequest, Scenario } from './upstream-scenario.ts';

export function simulatedVector(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  return Array.from({ length: dimensions }, (_, index) => (((seed[index % seed.length]! * 31 + index * 17) % 2001) - 1000) / 1024);
}

/** One token per word plus one for the start of the text. */
export function simulatedTokenCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length + 1;
}

export function simulatedTokenTotal(texts: readonly string[]): number {
  return texts.reduce((sum, text) => sum + simulatedTokenCount(text), 0);
}

/** What a simulator hands its embeddings route: the request, the scenario and the response to write. */
export type EmbeddingsExchange = Parameters<SimulatorResponder>[0];

/**
 * Plays the scenarios that are not an answer, the same on every embeddings route: 'error' through
 * the protocol's own error body, 'hang' until the client goes away, 'cut' by dropping the socket.
 * Returns false, having written nothing, for a scenario the route answers with vectors.
 */
export function playFailureScenario(
  { scenario, response, onClientClose }: EmbeddingsExchange,
  writeScenarioError: (scenario: Extract<Scenario, { kind: 'error' }>) => void,
): boolean {
  if (scenario.kind === 'error') writeScenarioError(scenario);
  else if (scenario.kind === 'hang') onClientClose(() => response.destroy());
  else if (scenario.kind === 'cut') response.socket?.destroy();
  else return false;
  return true;
}

/** Writes a protocol's error body. */
export type WriteEmbeddingsError = (status: number, message: string, retryAfterSeconds?: number) => void;

/**
 * An embeddings route whose refusals and scenario errors share one error body: it refuses what
 * `validate` refuses, plays the failure scenarios, and otherwise writes `answer`'s vectors.
 */
export function embeddingsRoute(
  validate: (request: RecordedRequest) => { status: number; message: string } | undefined,
  answer: (exchange: EmbeddingsExchange) => void,
): (exchange: EmbeddingsExchange, writeError: WriteEmbeddingsError) => void {
  return (exchange, writeError) => {
    const refusal = validate(exchange.request);
    if (refusal !== undefined) return writeError(refusal.status, refusal.message);
    if (playFailureScenario(exchange, (error) => writeError(error.status, error.message, error.retryAfterSeconds))) return;
    answer(exchange);
  };
}
