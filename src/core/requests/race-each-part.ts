// An adapter's stream raced against its attempt's expiry: a pending part is given up (and the
// upstream closed) as soon as the attempt times out, without a race per part.

/** Iterates an adapter's stream, giving up on a pending part when the attempt times out. */
export function raceEachPart<T>(iterable: AsyncIterable<T>, expired: Promise<never>): AsyncIterableIterator<T> {
  return new PartsUntilExpiry(iterable[Symbol.asyncIterator](), expired);
}

/**
 * `expired` is subscribed once for the whole stream: a `Promise.race` per part would cost a race
 * and leave one more reaction on `expired` per part until the attempt ends. Each `next()` is the
 * adapter's own, relayed through a promise that the expiry can reject first.
 */
class PartsUntilExpiry<T> implements AsyncIterableIterator<T> {
  private expiry: { error: unknown } | undefined;
  private finished = false;
  private resolvePending: ((step: IteratorResult<T>) => void) | undefined;
  private rejectPending: ((error: unknown) => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<T>,
    expired: Promise<never>,
  ) {
    expired.catch((error: unknown) => {
      this.expiry = { error };
      const reject = this.rejectPending;
      if (reject === undefined) return;
      this.settled();
      this.close();
      reject(error);
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.expiry !== undefined) {
      this.close();
      return Promise.reject(this.expiry.error);
    }
    const pending = new Promise<IteratorResult<T>>(this.capture);
    this.iterator.next().then(this.onStep, this.onError);
    return pending;
  }

  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  // Bound once, not per part.
  private readonly capture = (resolve: (step: IteratorResult<T>) => void, reject: (error: unknown) => void): void => {
    this.resolvePending = resolve;
    this.rejectPending = reject;
  };

  private readonly onStep = (step: IteratorResult<T>): void => {
    const resolve = this.resolvePending;
    // Undefined when the expiry already gave up on this part.
    if (resolve === undefined) return;
    this.settled();
    if (step.done) this.finished = true;
    resolve(step);
  };

  private readonly onError = (error: unknown): void => {
    const reject = this.rejectPending;
    if (reject === undefined) return;
    this.settled();
    this.close();
    reject(error);
  };

  private settled(): void {
    this.resolvePending = undefined;
    this.rejectPending = undefined;
  }

  /** Not awaited: after a timeout the pending part settles only once the aborted request closes. */
  private close(): void {
    if (this.finished) return;
    this.finished = true;
    void Promise.resolve(this.iterator.return?.()).catch(() => undefined);
  }
}
