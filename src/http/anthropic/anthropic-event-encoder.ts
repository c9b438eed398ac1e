// Completion events -> the Messages streaming sequence (Anthropic docs, "Streaming Messages"):
// message_start; per content block content_block_start, its deltas (text_delta, thinking_delta,
// input_json_delta) and content_block_stop, one block open at a time; message_delta with the
// stop reason and final usage; message_stop. A failure after the start is `event: error`.
import type { CompletionEvent } from '../../core/completion-service.ts';
import type { SseFrame } from '../shared/sse-writer.ts';
import type { CompletionStreamEncoder } from '../shared/stream-completion-events.ts';
import { anthropicErrorFormat } from './anthropic-error-format.ts';
import { convertUsageToAnthropic } from './convert-usage-to-anthropic.ts';
import { mapFinishReasonToAnthropic } from './map-finish-reason-to-anthropic.ts';

export interface AnthropicEventEncoderOptions {
  /** The requested model; the final usage comes with message_delta. */
  model: string;
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool_use'; index: number; toolIndex: number };

export function createAnthropicEventEncoder(options: AnthropicEventEncoderOptions): CompletionStreamEncoder {
  const frame = (type: string, payload: Record<string, unknown>): SseFrame => ({ event: type, data: JSON.stringify({ type, ...payload }) });
  let open: OpenBlock | null = null;
  let nextIndex = 0;
  /** Block index of each tool call, by the event's tool index. */
  const toolBlocks = new Map<number, number>();

  const close = (): SseFrame[] => {
    if (open === null) return [];
    const index = open.index;
    open = null;
    return [frame('content_block_stop', { index })];
  };
  /** Opens a text or thinking block unless one of that kind is open. */
  const ensure = (kind: 'text' | 'thinking'): SseFrame[] => {
    if (open?.kind === kind) return [];
    const frames = close();
    open = { kind, index: nextIndex++ };
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    frames.push(frame('content_block_start', { index: open.index, content_block: block }));
    return frames;
  };
  const delta = (index: number, value: Record<string, unknown>) => frame('content_block_delta', { index, delta: value });

  return {
    start: (generationId) => [
      frame('message_start', {
        message: {
          id: generationId,
          type: 'message',
          role: 'assistant',
          model: options.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // Counts are known only at the end; message_delta carries them all.
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      }),
    ],
    encode(event: CompletionEvent): SseFrame[] {
      switch (event.type) {
        case 'text-delta': {
          const frames = ensure('text');
          frames.push(delta(open!.index, { type: 'text_delta', text: event.text }));
          return frames;
        }
        case 'started':
          return [];
        case 'reasoning-block': {
          // The signature of the open thinking block, sent before it closes (Anthropic's signature_delta).
          if (event.block.type === 'thinking' && event.block.signature && open?.kind === 'thinking') {
            return [delta(open.index, { type: 'signature_delta', signature: event.block.signature })];
          }
          if (event.block.type === 'redacted') {
            const frames = close();
            const index = nextIndex++;
            frames.push(frame('content_block_start', { index, content_block: { type: 'redacted_thinking', data: event.block.data } }));
            frames.push(frame('content_block_stop', { index }));
            return frames;
          }
          return [];
        }
        case 'reasoning-delta': {
          const frames = ensure('thinking');
          frames.push(delta(open!.index, { type: 'thinking_delta', thinking: event.text }));
          return frames;
        }
        case 'tool-call-delta': {
          if (event.id !== null) {
            const frames = close();
            open = { kind: 'tool_use', index: nextIndex++, toolIndex: event.index };
            toolBlocks.set(event.index, open.index);
            frames.push(frame('content_block_start', { index: open.index, content_block: { type: 'tool_use', id: event.id, name: event.name ?? '', input: {} } }));
            if (event.argumentsDelta !== '') frames.push(delta(open.index, { type: 'input_json_delta', partial_json: event.argumentsDelta }));
            return frames;
          }
          const index = toolBlocks.get(event.index);
          return index === undefined ? [] : [delta(index, { type: 'input_json_delta', partial_json: event.argumentsDelta })];
        }
        case 'completed': {
          const { result } = event.outcome;
          return [
            ...close(),
            frame('message_delta', {
              delta: { stop_reason: mapFinishReasonToAnthropic(result.finishReason, result.toolCalls.length > 0), stop_sequence: null },
              usage: convertUsageToAnthropic(result.usage),
            }),
            frame('message_stop', {}),
          ];
        }
        case 'error': {
          const { body } = anthropicErrorFormat(event.error);
          return [{ event: 'error', data: JSON.stringify(body) }];
        }
      }
    },
  };
}
