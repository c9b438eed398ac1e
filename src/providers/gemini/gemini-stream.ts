// streamGenerateContent?alt=sse -> stream parts. Each SSE `data` is a partial
// GenerateContentResponse (Gemini API reference, models.streamGenerateContent): parts arrive in
// order, function calls arrive whole, usageMetadata is repeated and the last one counts, and the
// chunk carrying Candidate.finishReason ends the answer. There is no [DONE] sentinel, so a stream
// that ends before any finishReason (or promptFeedback.blockReason) was cut off.
import { CancelledError, GatewayError, UpstreamProtocolError } from '../../core/errors.ts';
import type { FinishReason, StreamPart } from '../../core/types.ts';
import { parseSse } from '../shared/sse.ts';
import { geminiStreamError } from './gemini-error.ts';
import type { GeminiGenerateContentResponse, GeminiResponsePart, GeminiUsageMetadata } from './gemini-wire-types.ts';
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason.ts';
import { mapGeminiUsage } from './map-gemini-usage.ts';

export interface GeminiStreamOptions {
  providerId: string;
  /** Mints an id for a function call Gemini sent without one. */
  toolCallId(index: number): string;
  /** Tells a caller's abort apart from a broken connection. */
  signal?: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/** Never throws: a malformed chunk, an in-stream error or a broken connection ends in an error part. */
export async function* geminiStream(body: AsyncIterable<Uint8Array>, options: GeminiStreamOptions): AsyncGenerator<StreamPart> {
  const state = new GeminiStreamState(options);
  try {
    for await (const event of parseSse(body, options.maxEventLength)) {
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch (error) {
        yield* state.fail(protocolError(options, 'The upstream sent a stream chunk that is not valid JSON', error));
        return;
      }
      if (typeof chunk !== 'object' || chunk === null || Array.isArray(chunk)) {
        yield* state.fail(protocolError(options, 'The upstream sent a stream chunk that is not a JSON object'));
        return;
      }
      const response = chunk as GeminiGenerateContentResponse;
      if (response.error !== undefined) {
        yield* state.fail(geminiStreamError(response.error, options.providerId));
        return;
      }
      yield* state.read(response);
    }
  } catch (error) {
    const aborted = options.signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
    yield* state.fail(
      aborted
        ? new CancelledError(undefined, { provider: options.providerId })
        : error instanceof GatewayError
          ? error
          : protocolError(options, 'The upstream stream broke off', error),
    );
    return;
  }
  yield* state.end();
}

class GeminiStreamState {
  private metadataSent = false;
  private toolCallCount = 0;
  private reasoning = '';
  private signatureSent = false;
  private usage: GeminiUsageMetadata | undefined;
  private finishReason: string | undefined;
  private blockReason: string | undefined;

  constructor(private readonly options: GeminiStreamOptions) {}

  *read(response: GeminiGenerateContentResponse): Generator<StreamPart> {
    if (!this.metadataSent) {
      this.metadataSent = true;
      yield { type: 'response-metadata', id: response.responseId ?? null, model: response.modelVersion ?? null };
    }
    if (response.usageMetadata !== undefined) this.usage = response.usageMetadata;
    this.blockReason ??= response.promptFeedback?.blockReason;
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) yield* this.readPart(part);
    if (candidate?.finishReason !== undefined) this.finishReason = candidate.finishReason;
  }

  *end(): Generator<StreamPart> {
    const finish = this.finish();
    if (finish === undefined) {
      yield* this.fail(protocolError(this.options, 'The upstream stream ended without a finish reason'));
      return;
    }
    yield { type: 'usage', usage: mapGeminiUsage(this.usage) };
    yield { type: 'finish', finishReason: finish };
  }

  /** Reports the usage seen so far (so a broken stream is still metered), then the error. */
  *fail(error: GatewayError): Generator<StreamPart> {
    if (this.usage !== undefined) yield { type: 'usage', usage: mapGeminiUsage(this.usage) };
    yield { type: 'error', error };
  }

  private *readPart(part: GeminiResponsePart): Generator<StreamPart> {
    if (part.functionCall !== undefined) {
      const index = this.toolCallCount++;
      const id = part.functionCall.id ?? this.options.toolCallId(index);
      yield { type: 'tool-call-start', index, id, name: part.functionCall.name ?? '' };
      yield { type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(part.functionCall.args ?? {}) };
      yield { type: 'tool-call-end', index };
    } else if (part.text !== undefined && part.text.length > 0) {
      if (part.thought === true) {
        this.reasoning += part.text;
        yield { type: 'reasoning-delta', text: part.text };
      } else {
        yield { type: 'text-delta', text: part.text };
      }
    }
    if (part.thoughtSignature !== undefined && !this.signatureSent) {
      this.signatureSent = true;
      yield { type: 'reasoning-block', block: { type: 'thinking', text: this.reasoning, signature: part.thoughtSignature } };
    }
  }

  private finish(): FinishReason | undefined {
    if (this.finishReason !== undefined) return mapGeminiFinishReason(this.finishReason, this.toolCallCount > 0);
    if (this.blockReason !== undefined) return mapGeminiBlockReason(this.blockReason);
    return undefined;
  }
}

function protocolError(options: GeminiStreamOptions, message: string, cause?: unknown): GatewayError {
  return new UpstreamProtocolError(message, { provider: options.providerId, ...(cause === undefined ? {} : { cause }) });
}
