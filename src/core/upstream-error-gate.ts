// The one place where errors from upstreams enter the core: every adapter the gateway routes to is
// wrapped here, so what the services return to clients, log and store in usage records (attempt
// messages) is already clean. An upstream's message loses any credential (secret-scrubber.ts) and
// is cut to a length a client and a usage record can carry.
import type { EmbeddingAdapter } from './embeddings.ts';
import { GatewayError } from './errors.ts';
import { MappedParts } from './mapped-parts.ts';
import type { ProviderAdapter } from './ports.ts';
import type { SecretScrubber } from './secret-scrubber.ts';
import type { StreamPart } from './types.ts';

/** The longest upstream message passed on; a provider's real messages are far shorter. */
export const MAX_UPSTREAM_MESSAGE_LENGTH = 2000;

export interface UpstreamErrorGate {
  /** The provider the adapter serves, put on errors that did not name it. */
  providerId: string;
  scrubber: SecretScrubber;
}

/**
 * Cleans an error thrown or reported by an adapter, in place: the error was made for this call,
 * and keeping the object keeps its class and typed fields. Errors that are not GatewayErrors (a
 * bug) become INTERNAL at the edges, which log their message: it is scrubbed too.
 */
export function sanitizeUpstreamError<E>(error: E, gate: UpstreamErrorGate): E {
  if (!(error instanceof Error)) return error;
  error.message = truncate(gate.scrubber.scrub(error.message));
  if (error instanceof GatewayError) {
    const fields = error as { provider: string | undefined; upstreamCode: string | undefined };
    fields.provider ??= gate.providerId;
    if (fields.upstreamCode !== undefined) fields.upstreamCode = truncate(gate.scrubber.scrub(fields.upstreamCode), 200);
  }
  if (error.cause instanceof Error && error.cause !== error) error.cause.message = gate.scrubber.scrub(error.cause.message);
  return error;
}

function truncate(text: string, max = MAX_UPSTREAM_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (truncated)`;
}

export function guardProviderAdapter(adapter: ProviderAdapter, gate: UpstreamErrorGate): ProviderAdapter {
  const clean = (error: unknown): never => {
    throw sanitizeUpstreamError(error, gate);
  };
  // A stream's parts pass as they are, except errors (thrown or as an `error` part), which are cleaned.
  const cleanStep = (step: IteratorResult<StreamPart>): IteratorResult<StreamPart> => {
    if (!step.done && step.value.type === 'error') sanitizeUpstreamError(step.value.error, gate);
    return step;
  };
  const guarded: ProviderAdapter = {
    generate: (request, signal) => adapter.generate(request, signal).catch(clean),
    stream: (request, signal) => new MappedParts(adapter.stream(request, signal)[Symbol.asyncIterator](), cleanStep, clean),
  };
  const countTokens = adapter.countTokens;
  if (countTokens) guarded.countTokens = (request, signal) => countTokens.call(adapter, request, signal).catch(clean);
  return guarded;
}

export function guardEmbeddingAdapter(adapter: EmbeddingAdapter, gate: UpstreamErrorGate): EmbeddingAdapter {
  return {
    embed: (request, signal) =>
      adapter.embed(request, signal).catch((error: unknown) => {
        throw sanitizeUpstreamError(error, gate);
      }),
  };
}
