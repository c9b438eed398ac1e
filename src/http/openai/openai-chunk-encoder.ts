// Completion events -> `chat.completion.chunk` SSE frames: a role chunk, content / reasoning /
// indexed tool-call argument deltas, a finish chunk, then usage (with cost) in a chunk with empty
// `choices` whether or not the client asked for it, then `[DONE]`. A failure after the stream
// started is `data: {"error":{...}}` then `[DONE]`, which the openai SDK raises as an APIError.
import type { CompletionEvent } from '../../core/completion-service.ts';
import type { CompletionStreamEncoder } from '../shared/stream-completion-events.ts';
import { convertUsageToOpenAI } from './convert-usage-to-openai.ts';
import { mapFinishReasonToOpenAI } from './map-finish-reason-to-openai.ts';
import { openAIErrorObject } from './openai-error-format.ts';

export interface OpenAIChunkEncoderOptions {
  created: number;
  /** The requested model; chunks after completion name the model that served. */
  model: string;
}

const done = 'data: [DONE]\n\n';
/** What follows a delta in every delta chunk. */
const deltaEnd = ',"finish_reason":null,"logprobs":null}]}\n\n';

/**
 * Returns SSE text. A delta chunk is built from a prefix made once per stream and the delta's own
 * JSON, the same bytes as stringifying the whole chunk but without the envelope each time.
 */
export function createOpenAIChunkEncoder(options: OpenAIChunkEncoderOptions): CompletionStreamEncoder {
  const { created } = options;
  let id = '';
  let model = options.model;
  const chunkStart = () => `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${JSON.stringify(created)},"model":${JSON.stringify(model)},"choices":[{"index":0,"delta":`;
  let deltaStart = chunkStart();
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`;
  /** `deltaJson` is the delta object's JSON. */
  const delta = (deltaJson: string): string => deltaStart + deltaJson + deltaEnd;

  return {
    start: (generationId) => {
      id = generationId;
      deltaStart = chunkStart();
      return delta('{"role":"assistant","content":""}');
    },
    encode(event: CompletionEvent): string {
      switch (event.type) {
        case 'started':
        case 'reasoning-block':
          // The id is taken at start; the chat format has no field for reasoning signatures.
          return '';
        case 'text-delta':
          return delta(`{"content":${JSON.stringify(event.text)}}`);
        case 'reasoning-delta':
          // OpenRouter's field; the AI SDK and OpenRouter clients read it (DeepSeek's is reasoning_content).
          return delta(`{"reasoning":${JSON.stringify(event.text)}}`);
        case 'tool-call-delta':
          return delta(
            JSON.stringify({
              tool_calls: [
                event.id !== null
                  ? { index: event.index, id: event.id, type: 'function', function: { name: event.name ?? '', arguments: event.argumentsDelta } }
                  : { index: event.index, function: { arguments: event.argumentsDelta } },
              ],
            }),
          );
        case 'completed': {
          const { outcome } = event;
          const { result } = outcome;
          model = outcome.model;
          const finish = mapFinishReasonToOpenAI(result.finishReason, result.toolCalls.length > 0);
          return (
            chunk([{ index: 0, delta: {}, finish_reason: finish, native_finish_reason: result.finishReason.raw, logprobs: null }], {
              provider: outcome.providerId,
            }) +
            chunk([], {
              provider: outcome.providerId,
              usage: convertUsageToOpenAI(result.usage, outcome.cost),
              ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
            }) +
            done
          );
        }
        case 'error':
          // What was produced before the failure is billed; the usage chunk says how much.
          return chunk([], { usage: convertUsageToOpenAI(event.usage, event.cost) }) + `data: ${JSON.stringify({ error: openAIErrorObject(event.error) })}\n\n` + done;
      }
    },
  };
}
