// An adapter's stream seen through a wrapper (reasoning-family.ts, upstream-error-gate.ts): each
// step passed through `onStep`, and, when `onError` is given, a failure of `next` or `return`
// through it. One `then` per part, not an async generator delegating to the inner one.
import type { StreamPart } from './types.ts';

export class MappedParts implements AsyncIterableIterator<StreamPart> {
  constructor(
    private readonly inner: AsyncIterator<StreamPart>,
    /** Bound once per stream, not per part. */
    private readonly onStep: (step: IteratorResult<StreamPart>) => IteratorResult<StreamPart>,
    private readonly onError?: (error: unknown) => never,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamPart>> {
    return this.inner.next().then(this.onStep, this.onError);
  }

  return(value?: unknown): Promise<IteratorResult<StreamPart>> {
    if (!this.inner.return) return Promise.resolve({ value: undefined, done: true });
    const returned = this.inner.return(value);
    return this.onError ? returned.catch(this.onError) : returned;
  }
}
