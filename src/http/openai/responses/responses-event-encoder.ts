// Completion events -> the Responses API's typed stream events, numbered by `sequence_number`, in
// the order the official SDK's ResponseStream accumulates them: response.created and
// .in_progress; per output item .output_item.added, its part (.content_part.added for a message,
// .reasoning_summary_part.added for reasoning), deltas, the matching .done events and
// .output_item.done; then response.completed or .incomplete with the whole response. A failure
// after the stream started is an `error` event, then response.failed.
import type { CompletionEvent, CompletionOutcome } from '../../../core/completion-service.ts';
import type { ReasoningBlock } from '../../../core/types.ts';
import type { CompletionStreamEncoder } from '../../shared/stream-completion-events.ts';
import type { SseFrame } from '../../shared/sse-writer.ts';
import { openAIErrorObject } from '../openai-error-format.ts';
import { outputText } from './build-response-output.ts';
import { convertUsageToResponses } from './convert-usage-to-responses.ts';
import { encodeReasoningContent } from './reasoning-content-codec.ts';
import { buildResponseObject, itemIdFor, statusFor, type OutputItem, type ResponseHeader, type ResponseObject } from './response-object.ts';

type Item<Type extends OutputItem['type']> = Extract<OutputItem, { type: Type }>;

export interface ResponsesEventEncoder extends CompletionStreamEncoder {
  /** The finished response (items closed, usage and status from the outcome); the same object each call. */
  finalResponse(outcome: CompletionOutcome): ResponseObject;
}

export function createResponsesEventEncoder(headerFor: (generationId: string) => ResponseHeader): ResponsesEventEncoder {
  let opened: ResponseHeader | undefined;
  /** Set by start(), or by finish() when a response completes before any content. */
  const header = (generationId?: string): ResponseHeader => (opened ??= headerFor(generationId!));
  let sequence = 0;
  let frames: SseFrame[] = [];
  const output: OutputItem[] = [];
  /** The item deltas go to; it is closed when another item opens. */
  let current: OutputItem | null = null;
  const closed = new Set<OutputItem>();
  const toolItems = new Map<number, Item<'function_call'>>();
  let reasoning: Item<'reasoning'> | null = null;
  const blocks: ReasoningBlock[] = [];
  let final: ResponseObject | undefined;

  const emit = (type: string, fields: Record<string, unknown>) => {
    frames.push({ event: type, data: JSON.stringify({ type, sequence_number: sequence++, ...fields }) });
  };
  const take = () => {
    const taken = frames;
    frames = [];
    return taken;
  };
  const at = (item: OutputItem) => ({ item_id: item.id, output_index: output.indexOf(item) });

  const open = <T extends OutputItem>(item: T): T => {
    closeCurrent();
    output.push(item);
    current = item;
    emit('response.output_item.added', { output_index: output.length - 1, item });
    return item;
  };
  const close = (item: OutputItem, status: 'completed' | 'incomplete') => {
    if (closed.has(item)) return;
    closed.add(item);
    if (item.type === 'message') {
      item.status = status;
      const text = item.content[0]!.text;
      emit('response.output_text.done', { ...at(item), content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', { ...at(item), content_index: 0, part: item.content[0] });
    } else if (item.type === 'function_call') {
      item.status = status;
      emit('response.function_call_arguments.done', { ...at(item), name: item.name, arguments: item.arguments });
    } else {
      const content = encodeReasoningContent(blocks);
      if (content !== null) item.encrypted_content = content;
      const part = item.summary[0];
      if (part) {
        emit('response.reasoning_summary_text.done', { ...at(item), summary_index: 0, text: part.text });
        emit('response.reasoning_summary_part.done', { ...at(item), summary_index: 0, part });
      }
    }
    emit('response.output_item.done', { output_index: output.indexOf(item), item });
  };
  function closeCurrent() {
    if (current) close(current, 'completed');
    current = null;
  }

  const message = (): Item<'message'> => {
    if (current?.type === 'message') return current;
    const item = open<Item<'message'>>({ type: 'message', id: itemIdFor('msg', header().id, output.length), status: 'in_progress', role: 'assistant', content: [] });
    item.content.push(outputText(''));
    emit('response.content_part.added', { ...at(item), content_index: 0, part: outputText('') });
    return item;
  };
  const reasoningItem = (): Item<'reasoning'> => {
    if (current?.type === 'reasoning') return current;
    reasoning = open<Item<'reasoning'>>({ type: 'reasoning', id: itemIdFor('rs', header().id, output.length), summary: [] });
    return reasoning;
  };

  /** Closes what is open and builds the finished response, once. */
  const finish = (outcome: CompletionOutcome): ResponseObject => {
    if (final) return final;
    // A response with no content at all completes before the stream opens.
    header(outcome.generationId);
    const status = statusFor(outcome.result.finishReason);
    for (const item of output) close(item, status);
    current = null;
    const content = encodeReasoningContent(outcome.result.reasoningBlocks);
    if (content !== null) {
      const item = reasoning ?? { type: 'reasoning' as const, id: itemIdFor('rs', header().id, output.length), summary: [] };
      item.encrypted_content = content;
      if (!reasoning) output.push(item);
    }
    final = buildResponseObject(header(), { status, outcome, output });
    return final;
  };

  return {
    start(generationId) {
      const response = buildResponseObject(header(generationId), { status: 'in_progress', output: [] });
      emit('response.created', { response });
      emit('response.in_progress', { response });
      return take();
    },
    encode(event: CompletionEvent) {
      switch (event.type) {
        case 'started':
          break;
        case 'text-delta': {
          const item = message();
          item.content[0]!.text += event.text;
          emit('response.output_text.delta', { ...at(item), content_index: 0, delta: event.text, logprobs: [] });
          break;
        }
        case 'reasoning-delta': {
          const item = reasoningItem();
          if (item.summary.length === 0) {
            item.summary.push({ type: 'summary_text', text: '' });
            emit('response.reasoning_summary_part.added', { ...at(item), summary_index: 0, part: { type: 'summary_text', text: '' } });
          }
          item.summary[0]!.text += event.text;
          emit('response.reasoning_summary_text.delta', { ...at(item), summary_index: 0, delta: event.text });
          break;
        }
        case 'reasoning-block':
          blocks.push(event.block);
          if (!reasoning) reasoningItem();
          break;
        case 'tool-call-delta': {
          let item = toolItems.get(event.index);
          if (!item) {
            item = open<Item<'function_call'>>({
              type: 'function_call',
              id: itemIdFor('fc', header().id, output.length),
              call_id: event.id ?? `call_${event.index}`,
              name: event.name ?? '',
              arguments: '',
              status: 'in_progress',
            });
            toolItems.set(event.index, item);
          }
          if (event.argumentsDelta === '') break;
          item.arguments += event.argumentsDelta;
          emit('response.function_call_arguments.delta', { ...at(item), delta: event.argumentsDelta });
          break;
        }
        case 'completed': {
          const response = finish(event.outcome);
          emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
          break;
        }
        case 'error': {
          for (const item of output) close(item, 'incomplete');
          const error = openAIErrorObject(event.error);
          emit('error', { code: error.code, message: error.message, param: error.param });
          const response = buildResponseObject(header(), { status: 'failed', output, error: event.error, usage: convertUsageToResponses(event.usage, event.cost) });
          emit('response.failed', { response });
          break;
        }
      }
      return take();
    },
    finalResponse: finish,
  };
}
