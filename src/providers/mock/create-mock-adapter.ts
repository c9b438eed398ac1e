// The built-in mock provider: deterministic answers with configurable latency and token rate, no
// network. It lets the service be tried and benchmarked without keys; its catalog entries are
// marked `simulated`.
import type { ProviderAdapter } from '../../core/ports.ts';
import { estimatePromptTokens } from '../../core/token-estimate.ts';
import type { ChatRequest, ChatResult, StreamPart, Usage } from '../../core/types.ts';
import { delay } from './delay.ts';

export interface MockAdapterOptions {
  /** The reply; `{echo}` is replaced by the last user message's text. */
  text?: string;
  firstTokenLatencyMs?: number;
  tokensPerSecond?: number;
}

export const DEFAULT_MOCK_TEXT = 'This is a simulated reply from the modelgraph mock provider. You said: {echo}';

function lastUserText(request: ChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i]!;
    if (message.role === 'user') {
      return message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(' ');
    }
  }
  return '';
}

/** The reply split into word-sized tokens, truncated to maxOutputTokens. */
function replyTokens(request: ChatRequest, template: string): { tokens: string[]; truncated: boolean } {
  const text = template.replaceAll('{echo}', lastUserText(request));
  const tokens = text.match(/\S+\s*/g) ?? [];
  const limit = request.maxOutputTokens ?? Number.POSITIVE_INFINITY;
  return { tokens: tokens.slice(0, limit), truncated: tokens.length > limit };
}

export function createMockAdapter(options: MockAdapterOptions = {}): ProviderAdapter {
  const template = options.text ?? DEFAULT_MOCK_TEXT;
  const firstTokenLatencyMs = options.firstTokenLatencyMs ?? 0;
  const gapMs = options.tokensPerSecond ? 1000 / options.tokensPerSecond : 0;
  const usageOf = (request: ChatRequest, outputTokens: number): Usage => ({
    inputTokens: estimatePromptTokens(request),
    outputTokens,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  });

  return {
    async generate(request, signal): Promise<ChatResult> {
      const { tokens, truncated } = replyTokens(request, template);
      await delay(firstTokenLatencyMs + gapMs * tokens.length, signal);
      return {
        id: `mock-${Date.now().toString(36)}`,
        model: request.model,
        text: tokens.join(''),
        toolCalls: [],
        reasoning: '',
        reasoningBlocks: [],
        finishReason: { unified: truncated ? 'LENGTH' : 'STOP', raw: truncated ? 'length' : 'stop' },
        usage: usageOf(request, tokens.length),
      };
    },
    async *stream(request, signal): AsyncGenerator<StreamPart> {
      const { tokens, truncated } = replyTokens(request, template);
      yield { type: 'response-metadata', id: `mock-${Date.now().toString(36)}`, model: request.model };
      await delay(firstTokenLatencyMs, signal);
      for (const [index, token] of tokens.entries()) {
        if (index > 0) await delay(gapMs, signal);
        yield { type: 'text-delta', text: token };
      }
      yield { type: 'usage', usage: usageOf(request, tokens.length) };
      yield { type: 'finish', finishReason: { unified: truncated ? 'LENGTH' : 'STOP', raw: truncated ? 'length' : 'stop' } };
    },
  };
}
