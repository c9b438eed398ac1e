// Bedrock Converse recorded by pydantic-ai (VCR cassettes, Nova 2 Lite with the
// nova_code_interpreter system tool and a client tool `final_result`). The streamed one is a real
// application/vnd.amazon.eventstream body (base64 in the cassette, every frame's CRC intact).
// A toolUse of type "server_tool_use" and its toolResult ("nova_code_interpreter_result") are run
// by the provider (Converse API reference: ToolUseBlock.type, ToolResultBlockStart; Nova user
// guide, "Using built-in tools"): only `final_result` is a call for the client.
// Prompt caching (Claude Sonnet 4.5 on Bedrock, pydantic-ai cassette of two Converse calls): the
// first writes 1322 tokens to the cache (cacheDetails: ttl 5m), the second reads them; Converse
// TokenUsage counts inputTokens beside cacheRead/WriteInputTokens, totalTokens is their sum.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cassetteRecording } from './recordings.ts';
import { expectedCost, replayModels, startReplayHarness, type ReplayHarness } from './replay-driver.ts';

let harness: ReplayHarness;
beforeAll(async () => {
  harness = await startReplayHarness();
});
afterAll(async () => {
  await harness?.stop();
});

const usage = { inputTokens: 1002, outputTokens: 59, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 1061 };

describe('Bedrock Converse recorded responses', () => {
  it('ConverseStream: the server tool call and its result stay out of tool_calls', async () => {
    const result = await harness.both(replayModels.bedrock, cassetteRecording('bedrock/test_bedrock_model_stream_with_code_execution_tool.yaml'));
    expect(result).toEqual({
      text: '',
      reasoning: '',
      toolCalls: [{ id: 'tooluse_GAkD3pNGSYeUBAwXiRVwIQ', name: 'final_result', arguments: '{"result":7006652.0}' }],
      finish: { unified: 'TOOL_CALLS', raw: 'tool_use' },
      usage,
      cost: expectedCost(usage),
      error: null,
    });
  });

  it('Converse: the server tool call and its result stay out of tool_calls', async () => {
    const result = await harness.both(replayModels.bedrock, cassetteRecording('bedrock/test_bedrock_model_with_code_execution_tool.yaml'));
    expect(result.toolCalls).toEqual([{ id: 'tooluse_owdFRfkTTQabYjvP3GM_vQ', name: 'final_result', arguments: '{"result":7006652}' }]);
    expect(result.finish).toEqual({ unified: 'TOOL_CALLS', raw: 'tool_use' });
    expect(result.usage).toEqual(usage);
    expect(result.cost).toBe(expectedCost(usage));
  });

  it('Converse prompt caching: a 5-minute cache write, then a cache read of the same 1322 tokens', async () => {
    const write = await harness.both(replayModels.bedrock, cassetteRecording('bedrock/test_bedrock_cache_write_and_read.yaml', 0));
    const written = { inputTokens: 2 + 1322, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 1322, reasoningTokens: 0, totalTokens: 1329 };
    expect(write).toEqual({ text: '21', reasoning: '', toolCalls: [], finish: { unified: 'STOP', raw: 'end_turn' }, usage: written, cost: expectedCost(written), error: null });
    const read = await harness.both(replayModels.bedrock, cassetteRecording('bedrock/test_bedrock_cache_write_and_read.yaml', 1));
    const cached = { inputTokens: 2 + 1322, outputTokens: 5, cachedInputTokens: 1322, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 1329 };
    expect(read).toEqual({ text: '21', reasoning: '', toolCalls: [], finish: { unified: 'STOP', raw: 'end_turn' }, usage: cached, cost: expectedCost(cached), error: null });
  });
});
