// The Messages API's two calls over whatever reaches it (Anthropic's /messages, or Claude's
// rawPredict on Vertex AI): the same reply reader and the same SSE stream decoder; each adapter
// supplies only how a request is sent (URL, auth, error shapes).
import type { ProviderAdapter } from '../../core/ports.ts';
import { httpChatCalls, type HttpChatProtocol } from '../shared/http-chat-calls.ts';
import { createAnthropicStreamDecoder } from './anthropic-stream.ts';
import { readAnthropicMessage } from './read-anthropic-message.ts';

export interface AnthropicMessagesUpstream {
  providerId: string;
  /** Who answers, for the error messages ("Anthropic", "Vertex AI"). */
  upstreamName: string;
  /** The longest SSE event accepted (the HTTP client's response limit). */
  maxEventLength: number | undefined;
  send: HttpChatProtocol['send'];
}

export function anthropicMessagesCalls(upstream: AnthropicMessagesUpstream): Pick<ProviderAdapter, 'generate' | 'stream'> {
  const { providerId, upstreamName, maxEventLength } = upstream;
  return httpChatCalls({
    send: upstream.send,
    readAnswer: (response, signal) => readAnthropicMessage(response, { providerId, signal, upstreamName }),
    streamDecoder: (_response, signal) => createAnthropicStreamDecoder({ providerId, signal, maxEventLength }),
  });
}
