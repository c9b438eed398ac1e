// The shape every recorded-response test file shares: one replay harness per file, and a table of
// cases, each a recording replayed through both edges and compared with the whole result its
// provider's documentation says it means.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recording } from './recordings.ts';
import { expectedCost, startReplayHarness, type Normalized, type NormalizedUsage, type ReplayHarness } from './replay-driver.ts';

/** Starts one replay harness for the file (beforeAll) and stops it (afterAll); call the result inside a test. */
export function useReplayHarness(): () => ReplayHarness {
  let harness: ReplayHarness | undefined;
  beforeAll(async () => {
    harness = await startReplayHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });
  return () => {
    if (harness === undefined) throw new Error('the replay harness is not started');
    return harness;
  };
}

/** Usage with the cache and reasoning counts 0 unless given. */
export type ExpectedUsage = Pick<NormalizedUsage, 'inputTokens' | 'outputTokens' | 'totalTokens'> & Partial<NormalizedUsage>;

/**
 * A result with defaults: no text, no reasoning, no tool calls, no error, and the cost replayPricing
 * gives the usage. Text, reasoning and tool calls may be asymmetric matchers (expect.stringMatching).
 */
export interface ExpectedResult {
  text?: unknown;
  reasoning?: unknown;
  toolCalls?: unknown[];
  finish: Normalized['finish'];
  usage: ExpectedUsage | null;
  cost?: number | null;
  error?: Normalized['error'];
}

export function expectedResult(expected: ExpectedResult): Record<keyof Normalized, unknown> {
  const usage = expected.usage === null ? null : { cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, ...expected.usage };
  return {
    text: expected.text ?? '',
    reasoning: expected.reasoning ?? '',
    toolCalls: expected.toolCalls ?? [],
    finish: expected.finish,
    usage,
    cost: expected.cost !== undefined ? expected.cost : usage === null ? null : expectedCost(usage),
    error: expected.error ?? null,
  };
}

export interface RecordedCase {
  name: string;
  recording: Recording;
  /** The gateway model; the table's when left out. */
  model?: string;
  expected: ExpectedResult;
  /** Assertions beyond the result, e.g. on what the gateway sent upstream. */
  also?: (result: Normalized, harness: ReplayHarness) => void | Promise<void>;
}

/** One `describe` of recorded cases: each replays its recording through both edges and compares the whole result. */
export function recordedCases(harness: () => ReplayHarness, title: string, model: string, cases: RecordedCase[]): void {
  describe(title, () => {
    for (const recorded of cases) {
      it(recorded.name, async () => {
        const result = await harness().both(recorded.model ?? model, recorded.recording);
        expect(result).toEqual(expectedResult(recorded.expected));
        await recorded.also?.(result, harness());
      });
    }
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A long text pinned by its start, end and some pieces in between (in order), and by phrases it
 * must not contain.
 */
export function textMatching(parts: { start: string; contains?: string[]; end: string; excludes?: string[] }) {
  const excluded = (parts.excludes ?? []).map((phrase) => `(?![\\s\\S]*${escapeRegExp(phrase)})`).join('');
  const pieces = [parts.start, ...(parts.contains ?? []), parts.end].map(escapeRegExp).join('[\\s\\S]*');
  return expect.stringMatching(new RegExp(`^${excluded}${pieces}$`));
}
