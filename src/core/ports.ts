import type { ChatRequest, ChatResult, StreamPart } from './types.ts';

/**
 * One wire protocol's implementation of chat completions. `stream` throws a GatewayError
 * (before yielding anything) when the upstream refuses the request, and yields an `error` part
 * when the stream breaks after it started. Both honour the AbortSignal by closing the upstream
 * connection.
 */
export interface ProviderAdapter {
  generate(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamPart>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
