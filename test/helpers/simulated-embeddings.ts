// What the upstream simulators answer for embeddings: a deterministic vector per text (so tests
// can compute the expected answer) whose values are exact in float32 (k/1024 with |k| <= 1000, so
// base64 float32 round-trips exactly), and a token count that differs from the gateway's own
// estimate (so tests can tell a reported count from an estimated one).
import { createHash } from 'node:crypto';

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
