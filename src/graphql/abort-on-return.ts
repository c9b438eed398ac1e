// A subscription's iterator that aborts its work the moment the client unsubscribes.

/**
 * The iterator of `start(signal)`, where `signal` aborts with `parent` (the request's or the
 * WebSocket connection's) and also at once when the iterator is returned. An async generator
 * handles return() only at its next yield, so while a stream still waits for its upstream an
 * unsubscribe (graphql-ws `complete`) would wait too, and the upstream stay open; the abort ends
 * those waits, and with them the generator.
 */
export function abortOnReturn<T>(parent: AbortSignal, start: (signal: AbortSignal) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onParentAbort, { once: true });
  // A WebSocket connection's signal outlives its subscriptions: each one stops listening when it ends.
  const release = () => parent.removeEventListener('abort', onParentAbort);
  const releaseWhenDone = (step: IteratorResult<T>) => {
    if (step.done) release();
    return step;
  };
  const releaseOnError = (error: unknown): never => {
    release();
    throw error;
  };
  const generator = start(controller.signal);
  return {
    next: () => generator.next().then(releaseWhenDone, releaseOnError),
    return: (value?: unknown) => {
      controller.abort();
      return generator.return(value as undefined).then(releaseWhenDone, releaseOnError);
    },
    throw: (error?: unknown) => {
      controller.abort();
      return generator.throw(error).then(releaseWhenDone, releaseOnError);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
