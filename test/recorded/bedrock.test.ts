// Bedrock Converse recorded by pydantic-ai (VCR cassettes, Nova 2 Lite with the
// nova_code_interpreter system tool and a client tool `final_result`). The streamed one is a real
// application/vnd.amazon.eventstream body (base64 in the cassette, every frame's CRC intact).
// A toolUse of type "server_tool_use" and its toolResult ("nova_code_interpreter_result") are run
// by the provider (Converse API reference: ToolUseBlock.type, ToolResultBlockStart; Nova user
// guide, "Using built-in tools"): only `final_result` is a call for the client.
// Prompt caching (Claude Sonnet 4.5 on Bedrock, pydantic-ai cassette of two Converse calls): the
// first writes 1322 tokens to the cache (cacheDetails: ttl 5m), the second reads them; Converse
// TokenUsage counts inputTokens beside cacheRead/WriteInputTokens, totalTokens is their sum.
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { cassetteRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

const codeExecution = { inputTokens: 1002, outputTokens: 59, totalTokens: 1061 };
const endTurn = { unified: 'STOP', raw: 'end_turn' };

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
]);
