// Bedrock Converse recorded by pydantic-ai (VCR cassettes, Nova 2 Lite with the
// nova_code_interpreter system tool and a client tool `final_result`). The streamed one is a real
// application/vnd.amazon.eventstream body (base64 in the cassette, every frame's CRC intact).
// A toolUse of type "server_tool_use" and its toolResult ("nova_code_interpreter_result") are run
// by the provider (Converse API reference: ToolUseBlock.type, ToolResultBlockStart; Nova user
// guide, "Using built-in tools"): only `final_result` is a call for the client.
// Prompt caching (Claude Sonnet 4.5 on Bedrock, pydantic-ai cassette of two Converse calls): the
// first writes 1322 tokens to the cache (cacheDetails: ttl 5m), the second reads them; Converse
// TokenUsage counts inputTokens beside cacheRead/WriteInputTokens, totalTokens is their sum.
// Extended thinking on Bedrock (Claude through Converse; pydantic-ai cassettes): a reasoningContent
// block is `reasoningText { text, signature }`, or `redactedContent` (a blob, base64 on the JSON
// wire) when the thinking was encrypted; in a stream its text, then its signature, come as
// contentBlockDelta reasoningContent pieces. Converse's outputTokens include the thinking (no
// separate count). A later turn sends the blocks back unchanged, before the text (Converse
// ReasoningContentBlock; Anthropic "Extended thinking", preserving thinking blocks): the cassettes'
// second interactions are that later turn as the SDK sent it and Bedrock accepted it.
// Throttling: HTTP 429 with `{"__type": "ThrottlingException", "message"}` (Converse API reference,
// Errors); the gateway retries a rate-limited round once by default and then answers 429.
import { describe, expect, it } from 'vitest';
import { expectedResult, recordedCases, textMatching, useReplayHarness } from './recorded-cases.ts';
import { cassetteRecording, cassetteRequestBody } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

const codeExecution = { inputTokens: 1002, outputTokens: 59, totalTokens: 1061 };
const endTurn = { unified: 'STOP', raw: 'end_turn' };

const thinking = 'bedrock/test_bedrock_model_thinking_part_anthropic.yaml';
const redacted = 'bedrock/test_bedrock_model_thinking_part_redacted.yaml';
const redactedStream = 'bedrock/test_bedrock_model_thinking_part_redacted_stream.yaml';
const thought = 'This is a straightforward question about pedestrian safety. I should provide clear, practical advice for safely crossing streets.';
const streamedThought =
  'The human has just said "Hello" to me. This is a simple greeting, so I should respond in a friendly and welcoming way. I\'ll keep my response warm but brief since they haven\'t asked anything specific yet.';
const streamedSignature =
  'EvYCCkgICxABGAIqQH+vdAorxvHnWTPEdc8BK/BavcOAlYhx4WJGgsYDLAOnOlProhrcdoakElJ1TyNwuVoDmeufvBY0r1oL2vhd1goSDJPU6x/yFNQsgepyvBoMBDWVqEroDO1NxlW5IjAVu0TJ7SNljvQ6W2VwGVC5HiORuEoWIzQcAm8CEbVhXN+MiMJ9kPPqIzEyolBP91kq2wF5KP9Z5za6wDigTkqSbmFOYsqsugcW63mgtP7yuWSIQbiYkA+uUrf0qx8PsZjNZKi0VmqRJK9NRbDDhMoHt/AWqMLiYbEjz3aVYJGGU8UTNkVc4+Iqw9Ha/O9Q+7Y/wF2Ycrdt1n74u39t/0v/ZTQh5vgVpb24S7nqAG0Guim9WX00ALjRPBV2ugqaD/CE6haaLATMrTrBMGep6dhGnkypmO2loFPgHTU43UR17Iv9ltU0KJF6QFCZx7L67OzpgXkAQeh2eEuphYpJUMqN2rAHzByemarql73B96wYAQ==';

recordedCases(harness, 'Bedrock Converse recorded responses', replayModels.bedrock, [
  ...[
    { api: 'ConverseStream', cassette: 'test_bedrock_model_stream_with_code_execution_tool.yaml', id: 'tooluse_GAkD3pNGSYeUBAwXiRVwIQ', arguments: '{"result":7006652.0}' },
    { api: 'Converse', cassette: 'test_bedrock_model_with_code_execution_tool.yaml', id: 'tooluse_owdFRfkTTQabYjvP3GM_vQ', arguments: '{"result":7006652}' },
  ].map(({ api, cassette, id, arguments: args }) => ({
    name: `${api}: the server tool call and its result stay out of tool_calls`,
    recording: cassetteRecording(`bedrock/${cassette}`),
    expected: { toolCalls: [{ id, name: 'final_result', arguments: args }], finish: { unified: 'TOOL_CALLS', raw: 'tool_use' }, usage: codeExecution },
  })),
  {
    name: 'Converse prompt caching, first call: a 5-minute cache write of 1322 tokens',
    recording: cassetteRecording('bedrock/test_bedrock_cache_write_and_read.yaml', 0),
    expected: { text: '21', finish: endTurn, usage: { inputTokens: 2 + 1322, outputTokens: 5, cacheWriteTokens: 1322, totalTokens: 1329 } },
  },
  {
    name: 'Converse prompt caching, second call: a cache read of the same 1322 tokens',
    recording: cassetteRecording('bedrock/test_bedrock_cache_write_and_read.yaml', 1),
    expected: { text: '21', finish: endTurn, usage: { inputTokens: 2 + 1322, outputTokens: 5, cachedInputTokens: 1322, totalTokens: 1329 } },
  },
  {
    name: 'Converse extended thinking: reasoningText is the reasoning, kept with its signature; 43 in + 303 out (thinking included)',
    model: replayModels.bedrockClaude,
    recording: cassetteRecording(thinking, 0),
    expected: {
      text: textMatching({ start: 'Here are the key steps for safely crossing a street:\n\n**Look for a safe crossing point:**', end: 'The key is to be predictable, visible, and alert to your surroundings.' }),
      reasoning: thought,
      finish: endTurn,
      usage: { inputTokens: 43, outputTokens: 303, totalTokens: 346 },
    },
    also: async (_result, replay) =>
      expect(await replay.graphqlReasoningBlocks(replayModels.bedrockClaude, cassetteRecording(thinking, 0))).toEqual([
        { text: thought, signature: expect.stringMatching(/^EqwCCkgICxABGAIqQHp5.*jja43rWjvJxGzybuuzN\/dcYkkUyAdTN4jOFX841kZMOhqjxU\+GAE=$/), redactedData: null },
      ]),
  },
  {
    name: 'ConverseStream extended thinking: reasoning text deltas, then the signature in a delta of its own; 37 in + 74 out',
    model: replayModels.bedrockClaude,
    recording: cassetteRecording('bedrock/test_bedrock_model_thinking_part_stream.yaml'),
    expected: {
      text: 'Hello! How are you doing today? Is there anything I can help you with?',
      reasoning: streamedThought,
      finish: endTurn,
      usage: { inputTokens: 37, outputTokens: 74, totalTokens: 111 },
    },
    also: async (_result, replay) =>
      expect(await replay.graphqlReasoningBlocks(replayModels.bedrockClaude, cassetteRecording('bedrock/test_bedrock_model_thinking_part_stream.yaml'))).toEqual([
        { text: streamedThought, signature: streamedSignature, redactedData: null },
      ]),
  },
  {
    name: 'Converse redacted thinking: no reasoning text, the redactedContent kept whole as an encrypted block; 92 in + 198 out',
    model: replayModels.bedrockClaude,
    recording: cassetteRecording(redacted, 0),
    expected: {
      text: "I don't have any special triggers or hidden modes that can be activated with specific strings. I'm designed to be helpful, harmless, and honest in all my interactions. \n\nIf you have a question or need assistance with something, I'd be happy to help you in a straightforward way. What would you like to discuss today?",
      finish: endTurn,
      usage: { inputTokens: 92, outputTokens: 198, totalTokens: 290 },
    },
    also: async (_result, replay) =>
      expect(await replay.graphqlReasoningBlocks(replayModels.bedrockClaude, cassetteRecording(redacted, 0))).toEqual([
        { text: null, signature: null, redactedData: expect.stringMatching(/^RXRNRkNrZ0lDeEFCR0FJcVFHcUJNd0Jp.*WitHQUU9$/) },
      ]),
  },
  {
    name: 'ConverseStream redacted thinking: three redactedContent blocks kept in order as encrypted blocks, then the text; 92 in + 173 out',
    model: replayModels.bedrockClaude,
    recording: cassetteRecording(redactedStream),
    expected: {
      text: "I notice your message contains what appears to be a specific trigger phrase or command. I'm designed to respond to normal questions and requests rather than to special commands or triggers.\n\nIf you have a genuine question or need assistance with something, I'd be happy to help - please just ask directly what you'd like to know or discuss.",
      finish: endTurn,
      usage: { inputTokens: 92, outputTokens: 173, totalTokens: 265 },
    },
    also: async (_result, replay) =>
      expect(await replay.graphqlReasoningBlocks(replayModels.bedrockClaude, cassetteRecording(redactedStream))).toEqual(
        [
          /^RXR3Q0NrZ0lDeEFCR0FJcVFEMEw5aW[A-Za-z0-9+/=]{590}aGZyR0FFPQ==$/,
          /^RXRrQ0NrZ0lDeEFCR0FJcVFDcHoyZH[A-Za-z0-9+/=]{582}VUJiWWVHQUU9$/,
          /^RXBnQ0NrZ0lDeEFCR0FJcVFBNmFaS0[A-Za-z0-9+/=]{466}YU5GQ0N4Z0I=$/,
        ].map((data) => ({ text: null, signature: null, redactedData: expect.stringMatching(data) })),
      ),
  },
]);

interface ChatCompletionBody {
  choices: Array<{ message: { content: string; reasoning_details: unknown[] } }>;
}

interface ConverseTurn {
  messages: Array<{ role: string; content: Array<{ text?: string }> }>;
}

describe('Bedrock Converse reasoning sent back on the next turn', () => {
  const roundTrips = [
    { name: 'signed thinking', source: thinking, details: [{ type: 'reasoning.text', text: thought, signature: expect.stringMatching(/^EqwCCkgI/), index: 0 }] },
    { name: 'redacted thinking', source: redacted, details: [{ type: 'reasoning.encrypted', data: expect.stringMatching(/^RXRNRkNr/), index: 0 }] },
  ];
  for (const { name, source, details } of roundTrips) {
    it(`${name}: the reasoning_details a client sends back become the reasoningContent Bedrock returned, before the text`, async () => {
      // The SDK's second request, which Bedrock accepted: the question, the answer with its reasoning, a follow-up.
      const nextTurn = cassetteRequestBody(source, 1) as unknown as ConverseTurn;
      const [question, , followUp] = nextTurn.messages;
      const replay = harness();
      const first = await replay.restResponse(replayModels.bedrockClaude, cassetteRecording(source, 0), [{ role: 'user', content: question!.content[0]!.text }]);
      const { message } = ((await first.json()) as ChatCompletionBody).choices[0]!;
      expect(message.reasoning_details).toEqual(details);
      const second = await replay.restResponse(replayModels.bedrockClaude, cassetteRecording(source, 1), [
        { role: 'user', content: question!.content[0]!.text },
        { role: 'assistant', content: message.content, reasoning_details: message.reasoning_details },
        { role: 'user', content: followUp!.content[0]!.text },
      ]);
      expect(second.status).toBe(200);
      expect(replay.replay.requests).toHaveLength(1);
      expect(JSON.parse(replay.replay.requests[0]!.body).messages).toEqual(nextTurn.messages);
    });
  }
});

// Last in this file: four throttled attempts put the deployment in its cooldown.
describe('Bedrock Converse throttling', () => {
  const throttled = () => cassetteRecording('bedrock/test_bedrock_throttling_error.yaml');

  it('a 429 ThrottlingException is retried once, then answered as REST 429 rate_limit_error and GraphQL RATE_LIMITED', async () => {
    const replay = harness();
    const rest = await replay.restResponse(replayModels.bedrock, throttled());
    expect(rest.status).toBe(429);
    expect(((await rest.json()) as { error: unknown }).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    // DEFAULT_GROUP_POLICY: RATE_LIMITED gets one retry round; this group has one deployment and no fallbacks.
    expect(replay.replay.requests).toHaveLength(2);
    const graphql = await replay.graphql(replayModels.bedrock, throttled());
    expect(graphql).toEqual(expectedResult({ finish: null, usage: null, error: { code: 'RATE_LIMITED' } }));
  });
});
