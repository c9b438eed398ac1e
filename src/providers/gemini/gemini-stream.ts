// streamGenerateContent?alt=sse -> stream parts. Each SSE `data` is a partial
// GenerateContentResponse (Gemini API reference, models.streamGenerateContent): parts arrive in
// order, function calls arrive whole (or, with Vertex's streamFunctionCallArguments, opened by a
// `willContinue` call and filled by `partialArgs` pieces until a call without `willContinue`
// closes it), usageMetadata is repeated and the last one counts, and the
// chunk carrying Candidate.finishReason ends the answer. There is no [DONE] sentinel, so a stream
// that ends before any finishReason (or promptFeedback.blockReason) was cut off.
import { UpstreamProtocolError, type GatewayError } from '../../core/errors.ts';
import type { FinishReason, StreamPart } from '../../core/types.ts';
import { parseJsonObject } from '../shared/parse-json-object.ts';
import { createSseStreamDecoder, StreamProgress, type StreamStateMachine } from '../shared/provider-stream-decoder.ts';
import type { SseEvent } from '../shared/sse.ts';
import type { BodyDecoder } from '../shared/stream-response-parts.ts';
import { geminiStreamError } from './gemini-error.ts';
import type { GeminiGenerateContentResponse, GeminiResponsePart, GeminiUsageMetadata } from './gemini-wire-types.ts';
import { mapGeminiBlockReason, mapGeminiFinishReason } from './map-gemini-finish-reason.ts';
import { mapGeminiUsage } from './map-gemini-usage.ts';
import { StreamedFunctionArguments } from './streamed-function-arguments.ts';

export interface GeminiStreamOptions {
  providerId: string;
  /** Mints an id for a function call Gemini sent without one. */
  toolCallId(index: number): string;
  /** Tells a caller's abort apart from a broken connection. */
  signal?: AbortSignal;
  /** The longest stream event accepted (the HTTP client's responseLimitBytes). */
  maxEventLength?: number | undefined;
}

/** The SSE body through the shared pipeline, mapped by GeminiStreamState. */
export function createGeminiStreamDecoder(options: GeminiStreamOptions): BodyDecoder<StreamPart> {
  return createSseStreamDecoder(new GeminiStreamState(options), options);
}

/** Never throws: a malformed chunk or an in-stream error ends in an error part. */
class GeminiStreamState implements StreamStateMachine<SseEvent> {
  readonly progress = new StreamProgress();
  private metadataSent = false;
  private toolCallCount = 0;
  private reasoning = '';
  private signatureSent = false;
  private usage: GeminiUsageMetadata | undefined;
  private finishReason: string | undefined;
  private blockReason: string | undefined;
  /** The call whose arguments are being streamed, if any. */
  private streamedCall: { index: number; arguments: StreamedFunctionArguments } | undefined;

  constructor(private readonly options: GeminiStreamOptions) {}

  /** Each SSE `data` is a partial GenerateContentResponse. */
  accept(event: SseEvent, parts: StreamPart[]): void {
    const response = parseJsonObject(event.data) as GeminiGenerateContentResponse | undefined;
    if (response === undefined) {
      this.fail(protocolError(this.options, 'The upstream sent a stream chunk that is not a JSON object'), parts);
      return;
    }
    if (response.error !== undefined) {
      this.fail(geminiStreamError(response.error, this.options.providerId), parts);
      return;
    }
    if (!this.metadataSent) {
      this.metadataSent = true;
      parts.push({ type: 'response-metadata', id: response.responseId ?? null, model: response.modelVersion ?? null });
    }
    if (response.usageMetadata !== undefined) this.usage = response.usageMetadata;
    this.blockReason ??= response.promptFeedback?.blockReason;
    const candidate = response.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) this.acceptPart(part, parts);
    if (candidate?.finishReason !== undefined) this.finishReason = candidate.finishReason;
  }

  end(parts: StreamPart[]): void {
    this.closeStreamedCall(parts);
    const finish = this.finish();
    if (finish === undefined) {
      this.fail(protocolError(this.options, 'The upstream stream ended without a finish reason'), parts);
      return;
    }
    this.progress.status = 'done';
    parts.push({ type: 'usage', usage: mapGeminiUsage(this.usage) });
    parts.push({ type: 'finish', finishReason: finish });
  }

  /** Reports the usage seen so far (so a broken stream is still metered), then the error. */
  fail(error: GatewayError, parts: StreamPart[]): void {
    this.progress.status = 'failed';
    if (this.usage !== undefined) parts.push({ type: 'usage', usage: mapGeminiUsage(this.usage) });
    parts.push({ type: 'error', error });
  }

  private acceptPart(part: GeminiResponsePart, parts: StreamPart[]): void {
    if (part.functionCall !== undefined) {
      this.acceptFunctionCall(part.functionCall, parts);
    } else if (part.text !== undefined && part.text.length > 0) {
      if (part.thought === true) {
        this.reasoning += part.text;
        parts.push({ type: 'reasoning-delta', text: part.text });
      } else {
        parts.push({ type: 'text-delta', text: part.text });
      }
    }
    if (part.thoughtSignature !== undefined && !this.signatureSent) {
      this.signatureSent = true;
      parts.push({ type: 'reasoning-block', block: { type: 'thinking', text: this.reasoning, signature: part.thoughtSignature } });
    }
  }

  private acceptFunctionCall(call: NonNullable<GeminiResponsePart['functionCall']>, parts: StreamPart[]): void {
    const streamed = this.streamedCall;
    if (streamed !== undefined) {
      // A piece of the open call; one without willContinue closes it.
      if (call.partialArgs) streamed.arguments.apply(call.partialArgs);
      if (call.willContinue !== true) this.closeStreamedCall(parts);
      return;
    }
    const index = this.toolCallCount++;
    const id = call.id ?? this.options.toolCallId(index);
    parts.push({ type: 'tool-call-start', index, id, name: call.name ?? '' });
    if (call.willContinue === true) {
      this.streamedCall = { index, arguments: new StreamedFunctionArguments() };
      if (call.partialArgs) this.streamedCall.arguments.apply(call.partialArgs);
      return;
    }
    parts.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(call.args ?? {}) });
    parts.push({ type: 'tool-call-end', index });
  }

  /** The arguments go out whole once the call is closed, so what the client gets is valid JSON. */
  private closeStreamedCall(parts: StreamPart[]): void {
    const streamed = this.streamedCall;
    if (streamed === undefined) return;
    this.streamedCall = undefined;
    parts.push({ type: 'tool-call-delta', index: streamed.index, argumentsDelta: streamed.arguments.json() });
    parts.push({ type: 'tool-call-end', index: streamed.index });
  }

  private finish(): FinishReason | undefined {
    if (this.finishReason !== undefined) return mapGeminiFinishReason(this.finishReason, this.toolCallCount > 0);
    if (this.blockReason !== undefined) return mapGeminiBlockReason(this.blockReason);
    return undefined;
  }
}

function protocolError(options: GeminiStreamOptions, message: string): GatewayError {
  return new UpstreamProtocolError(message, { provider: options.providerId });
}
