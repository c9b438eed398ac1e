// The two chat calls of an adapter that speaks HTTP: a plain call sends the request and reads the
// 2xx answer into a result; a streamed one sends it and decodes the 2xx body into stream parts
// (stream-response-parts.ts). Each protocol supplies only how to send, read and decode.
import type { HttpResponse, ProviderAdapter } from '../../core/ports.ts';
import type { ChatRequest, ChatResult, StreamPart } from '../../core/types.ts';
import { streamResponseParts, type BodyDecoder } from './stream-response-parts.ts';

export interface HttpChatProtocol {
  /** Sends the request; a non-2xx answer is read and thrown as a typed error. */
  send(request: ChatRequest, stream: boolean, signal: AbortSignal): Promise<HttpResponse>;
  /** Reads the 2xx answer of a plain call. */
  readAnswer(response: HttpResponse, signal: AbortSignal): Promise<ChatResult>;
  /** Decodes the 2xx body of a streamed call. */
  streamDecoder(response: HttpResponse, signal: AbortSignal): BodyDecoder<StreamPart>;
}

export function httpChatCalls(protocol: HttpChatProtocol): Pick<ProviderAdapter, 'generate' | 'stream'> {
  return {
    async generate(request, signal) {
      return protocol.readAnswer(await protocol.send(request, false, signal), signal);
    },

    stream(request, signal) {
      return streamResponseParts(
        () => protocol.send(request, true, signal),
        (response) => protocol.streamDecoder(response, signal),
      );
    },
  };
}
