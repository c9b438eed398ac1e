// The frame of a request answered at once (chat not streamed, embeddings): what the body throws
// becomes the request's error, a cache ticket it opened and did not complete is abandoned (identical
// requests waiting on it make their own calls), and the request is settled and recorded whatever
// happened. A stream keeps its own frame: it ends with an event, not a throw.
import type { CacheQuery, CacheTicket, ResponseCache } from '../cache/response-cache.ts';
import type { MeteredRequest } from './metered-request.ts';
import type { MeteredCall } from './request-types.ts';

/** The request's use of the response cache (null: none), told to the edge before any content. */
export async function openCacheTicket(cache: ResponseCache | undefined, query: CacheQuery, call: MeteredCall, signal: AbortSignal): Promise<CacheTicket | null> {
  const ticket = (await cache?.open(query, signal)) ?? null;
  if (ticket) call.onCacheStatus?.(ticket.status);
  return ticket;
}

export interface AnswerOnceFrame {
  metered: MeteredRequest;
  call: MeteredCall;
  cache: ResponseCache | undefined;
  signal: AbortSignal;
}

/** Runs `body`, which may open the request's cache ticket once (through `openCache`), in the frame above. */
export async function answerOnce<T>(frame: AnswerOnceFrame, body: (openCache: (query: CacheQuery) => Promise<CacheTicket | null>) => Promise<T>): Promise<T> {
  const { metered, signal } = frame;
  const opened: { ticket: CacheTicket | null } = { ticket: null };
  try {
    return await body(async (query) => (opened.ticket = await openCacheTicket(frame.cache, query, frame.call, signal)));
  } catch (thrown) {
    metered.failed(thrown);
    throw thrown;
  } finally {
    opened.ticket?.abandon();
    await metered.end(signal);
  }
}
