// Subscriptions that run until the client leaves (usageEvents, time) end when their context's
// signal aborts. When it aborted for a reason (the key was revoked, disabled or expired), that
// error is the last event the client gets: `throwIfEnded` in the field's resolve raises it as a
// GraphQL error with its code, and the subscription completes.
import { GraphQLError } from 'graphql';
import { GatewayError } from '../core/errors.ts';

/** The source's values until `signal` aborts, then the abort's GatewayError reason, if it has one. */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T | GatewayError> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    while (true) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step === 'aborted' || step.done) break;
      yield step.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // Not awaited: a source waiting for its next value settles its return() only then.
    iterator.return?.()?.catch?.(() => undefined);
  }
  if (signal.reason instanceof GatewayError) yield signal.reason;
}

/** A subscription event, or the GraphQL error (with its code) of the reason it ended. */
export function throwIfEnded<T>(event: T | GatewayError): T {
  if (event instanceof GatewayError) throw new GraphQLError(event.message, { extensions: { code: event.code } });
  return event;
}
