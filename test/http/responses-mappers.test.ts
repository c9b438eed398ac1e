// The Responses mappers as pure functions: input items -> core messages, and the reasoning envelope.
import { describe, expect, it } from 'vitest';
import { convertResponsesInput } from '../../src/http/openai/responses/convert-responses-input.ts';
import { decodeReasoningContent, encodeReasoningContent } from '../../src/http/openai/responses/reasoning-content-codec.ts';
import { responsesInputItemSchema, type ResponsesInputItem } from '../../src/http/openai/responses/responses-request-schema.ts';

const items = (raw: unknown[]): ResponsesInputItem[] => raw.map((item) => responsesInputItemSchema.parse(item));
const signed = { type: 'thinking' as const, text: 'hmm', signature: 'c2ln', family: 'anthropic' };

describe('convertResponsesInput', () => {
  it.each([
    {
      name: 'a string-content user message',
      input: [{ role: 'user', content: 'Hi' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    },
    {
      name: 'developer and system messages as system messages',
      input: [{ role: 'developer', content: 'Be brief.' }, { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'A' }, { type: 'input_text', text: 'B' }] }],
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'system', content: 'A\nB' }],
    },
    {
      name: 'reasoning, text and calls of one turn as one assistant message; outputs as tool messages',
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: encodeReasoningContent([signed]) },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', id: 'fc_2', call_id: 'c2', name: 'get_time', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'noon' }] },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning: [signed],
          toolCalls: [
            { id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { id: 'c2', name: 'get_time', arguments: '{}' },
          ],
        },
        { role: 'tool', toolCallId: 'c1', name: 'get_weather', content: 'sunny' },
        { role: 'tool', toolCallId: 'c2', name: 'get_time', content: 'noon' },
      ],
    },
    {
      name: 'a summary-only reasoning item as nothing',
      input: [{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }] }, { role: 'assistant', content: 'Hi' }],
      messages: [{ role: 'assistant', content: 'Hi' }],
    },
  ])('maps $name', ({ input, messages }) => {
    expect(convertResponsesInput(items(input))).toEqual(messages);
  });

  it('names the client’s index for an output without its call, after stored items', () => {
    const stored = items([{ role: 'user', content: 'Hi' }]);
    expect(() => convertResponsesInput([...stored, ...items([{ type: 'function_call_output', call_id: 'nope', output: 'x' }])], 1)).toThrow(/^input\[0\]\.call_id/);
  });
});

describe('reasoning content envelope', () => {
  it('round-trips signed and redacted blocks with their family', () => {
    const blocks = [signed, { type: 'redacted' as const, data: 'opaque', family: 'bedrock' }];
    expect(decodeReasoningContent(encodeReasoningContent(blocks)!)).toEqual(blocks);
  });

  it('keeps nothing that cannot be replayed, and reads nothing it did not write', () => {
    expect(encodeReasoningContent([{ type: 'thinking', text: 'unsigned, no family' }])).toBeNull();
    expect(decodeReasoningContent('gAAAAABopenai-ciphertext')).toEqual([]);
    expect(decodeReasoningContent('mg1.not-json')).toEqual([]);
    expect(decodeReasoningContent(`mg1.${Buffer.from('[{"type":"other"}]').toString('base64url')}`)).toEqual([]);
  });
});
