// OpenRouter recorded by pydantic-ai (VCR cassette): SSE comments (": OPENROUTER PROCESSING"),
// reasoning deltas, a chunk with finish_reason "length", then a mid-stream error chunk that also
// carries the final usage (OpenRouter docs, "Errors": errors during a stream arrive as a data
// event with a top-level `error`; "Usage accounting": the last chunk carries usage). The error is
// the outcome, and the usage that came with it is what is billed, not an estimate.
import { recordedCases, useReplayHarness } from './recorded-cases.ts';
import { cassetteRecording } from './recordings.ts';
import { replayModels } from './replay-driver.ts';

const harness = useReplayHarness();

recordedCases(harness, 'OpenRouter recorded responses', replayModels.openrouter, [
  {
    name: 'a mid-stream error after finish_reason keeps the usage that came with it',
    recording: cassetteRecording('openrouter/test_openrouter_stream_error.yaml'),
    expected: {
      reasoning: 'We need to respond to a greeting. The user',
      finish: null,
      // OpenRouter reports 11 reasoning tokens beside 10 completion tokens in total 53 = 43 + 10: kept as sent.
      usage: { inputTokens: 43, outputTokens: 10, reasoningTokens: 11, totalTokens: 53 },
      // OpenRouter's error.code is the HTTP status it would have answered: 400, a bad request.
      error: { code: 'INVALID_REQUEST' },
    },
  },
]);
