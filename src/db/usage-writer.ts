// The usage sink: records are buffered in memory and written in batches off the request path,
// within `flushIntervalMs` of arriving. When the database cannot be written, records wait in the
// bounded buffer and the batch is retried with backoff; requests keep being served, and nothing
// is dropped while the buffer has room. stop() writes out everything before the database closes.
// A batch the database refuses for good (database-errors.ts) is split in halves until the records
// it refuses are alone; those go to the dead-letter store and the rest are written, so one bad
// record never holds up the others.
import type { MeteringStatus, UsageRecord, UsageSink } from '../core/metering/metering-ports.ts';
import { classifyDatabaseError, databaseErrorMessage, sqlStateOf } from './database-errors.ts';
import type { UsageDeadLetterStore } from './usage-dead-letters.ts';
import { silentLogger, type Logger } from '../core/ports.ts';
import type { UsageBatchStore } from './usage-event-store.ts';

export interface UsageWriterOptions {
  store: UsageBatchStore;
  /** Where records the database refuses for good are kept; without it they are logged and dropped. */
  deadLetters?: UsageDeadLetterStore;
  /** The longest a record waits before its batch is written (default 250 ms). */
  flushIntervalMs?: number;
  /** Records kept while the database is unreachable; more are dropped (and counted). */
  bufferLimit?: number;
  /** Records per INSERT statement. */
  batchSize?: number;
  /**
   * Statements written at once when more than one batch is waiting (default 2). Each runs in its
   * own Postgres backend, so a backlog is written on as many cores; rollup rows are locked in one
   * order by every statement, so concurrent batches do not deadlock.
   */
  concurrency?: number;
  /** The longest wait between retries while the database is unreachable. */
  maxBackoffMs?: number;
  /** Called with the records of each committed batch (the live feed). */
  onCommitted?: (records: UsageRecord[]) => void;
  logger?: Logger;
}

/** What the writer reports: the MeteringStatus of `health { metering }`. */
export type UsageWriterStatus = MeteringStatus;

/** What writing one batch did: the ids inserted, and the records to retry (with why) after a transient failure. */
interface BatchOutcome {
  inserted: Set<string>;
  retry: UsageRecord[];
  failure: unknown;
}

export class UsageWriter implements UsageSink {
  private buffer: UsageRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the oldest record not yet taken into a batch arrived: it must be written within the interval. */
  private waitingSince: number | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;
  private dropped = 0;
  private written = 0;
  private deadLettered = 0;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private readonly flushIntervalMs: number;
  private readonly bufferLimit: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxBackoffMs: number;
  private readonly log: Logger;

  constructor(private readonly options: UsageWriterOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.bufferLimit = options.bufferLimit ?? 100_000;
    this.batchSize = options.batchSize ?? 2000;
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.log = options.logger ?? silentLogger;
  }

  record(record: UsageRecord): void {
    if (this.stopped || this.buffer.length >= this.bufferLimit) {
      if (this.dropped++ % 1000 === 0) {
        this.log.error(`metering: usage record ${record.id} dropped (${this.stopped ? 'after shutdown' : `buffer full at ${this.bufferLimit}`}; ${this.dropped} dropped so far)`);
      }
      return;
    }
    this.buffer.push(record);
    this.waitingSince ??= Date.now();
    this.schedule();
  }

  status(): UsageWriterStatus {
    return {
      buffered: this.buffer.length,
      dropped: this.dropped,
      written: this.written,
      deadLettered: this.deadLettered,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      databaseReachable: this.failures === 0,
    };
  }

  /** A record not yet written, so a generation can be looked up before its batch commits. */
  find(id: string): UsageRecord | null {
    for (let i = this.buffer.length - 1; i >= 0; i--) if (this.buffer[i]!.id === id) return this.buffer[i]!;
    return null;
  }

  /** Writes what is buffered now; resolves when the buffer is empty or a write failed. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = null;
      this.schedule();
    });
    return this.flushing;
  }

  /** Writes out the buffer, retrying for up to `timeoutMs` while the database fails. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.flush();
      if (this.buffer.length === 0) break;
      const wait = Math.min(this.backoffMs(), deadline - Date.now());
      if (wait <= 0) {
        this.log.error(`metering: ${this.buffer.length} usage records could not be written before shutdown: ${this.lastError}`);
        this.dropped += this.buffer.length;
        this.buffer = [];
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private backoffMs(): number {
    return Math.min(this.maxBackoffMs, this.flushIntervalMs * 2 ** Math.max(0, this.failures - 1));
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.buffer.length === 0 || this.stopped) return;
    const waited = this.waitingSince === null ? 0 : Date.now() - this.waitingSince;
    const wait = this.failures > 0 ? this.backoffMs() : this.buffer.length >= this.batchSize ? 0 : Math.max(0, this.flushIntervalMs - waited);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
    // Pending writes never keep the process alive on their own: stop() flushes them.
    this.timer.unref?.();
  }

  private async writeAll(): Promise<void> {
    while (this.buffer.length > 0) {
      // Up to `concurrency` batches from the front of the buffer, written at once.
      const batches: UsageRecord[][] = [];
      for (let offset = 0; offset < this.buffer.length && batches.length < this.concurrency; offset += this.batchSize) {
        batches.push(this.buffer.slice(offset, offset + this.batchSize));
      }
      const taken = batches.reduce((count, batch) => count + batch.length, 0);
      // Records arriving while these batches are written start a new wait.
      const waitingSince = this.waitingSince;
      if (taken === this.buffer.length) this.waitingSince = null;
      const outcomes = await Promise.all(batches.map((batch) => this.writeBatch(batch)));
      // Only this loop removes records, and only the ones it took from the front: records to retry
      // go back to the front, in order, ahead of whatever arrived meanwhile.
      const retry: UsageRecord[] = [];
      let failure: unknown = null;
      outcomes.forEach((outcome, index) => {
        const batch = batches[index]!;
        retry.push(...outcome.retry);
        if (outcome.retry.length > 0) failure ??= outcome.failure;
        const { inserted } = outcome;
        this.written += inserted.size;
        if (inserted.size > 0 && this.options.onCommitted) {
          try {
            this.options.onCommitted(inserted.size === batch.length ? batch : batch.filter((record) => inserted.has(record.id)));
          } catch (error) {
            this.log.warn(`metering: live usage feed failed: ${databaseErrorMessage(error)}`);
          }
        }
      });
      this.buffer = retry.length === 0 ? this.buffer.slice(taken) : [...retry, ...this.buffer.slice(taken)];
      if (failure !== null) {
        // The records to retry are still waiting, and they are the oldest.
        this.waitingSince = waitingSince ?? this.waitingSince;
        this.failures++;
        this.lastError = databaseErrorMessage(failure);
        this.lastErrorAt = new Date();
        if (this.failures === 1) this.log.error(`metering: writing usage failed, buffering and retrying: ${this.lastError}`);
        return;
      }
      if (this.failures > 0) this.log.info(`metering: usage writes recovered after ${this.failures} failed attempts`);
      this.failures = 0;
      this.lastError = null;
    }
  }

  /**
   * Writes a batch. When the database refuses it for good, the halves are written apart, down to
   * the single records it refuses, which are dead-lettered: about 2·log2(n) statements per bad
   * record. A transient failure stops there: what is not written yet is returned to retry.
   */
  private async writeBatch(batch: UsageRecord[]): Promise<BatchOutcome> {
    try {
      return { inserted: await this.options.store.write(batch), retry: [], failure: null };
    } catch (error) {
      if (classifyDatabaseError(error) !== 'permanent') return { inserted: new Set(), retry: batch, failure: error };
      if (batch.length === 1) return this.deadLetter(batch[0]!, error);
      const middle = Math.ceil(batch.length / 2);
      const first = await this.writeBatch(batch.slice(0, middle));
      if (first.failure !== null) return { ...first, retry: [...first.retry, ...batch.slice(middle)] };
      const second = await this.writeBatch(batch.slice(middle));
      return { inserted: new Set([...first.inserted, ...second.inserted]), retry: second.retry, failure: second.failure };
    }
  }

  /** Keeps a record the database refused for good in the dead-letter store, and goes on. */
  private async deadLetter(record: UsageRecord, error: unknown): Promise<BatchOutcome> {
    const failure = { code: sqlStateOf(error), message: databaseErrorMessage(error) };
    const done: BatchOutcome = { inserted: new Set(), retry: [], failure: null };
    if (!this.options.deadLetters) {
      this.dropped++;
      this.log.error(`metering: usage record ${record.id} refused by the database and dropped: ${failure.message}`);
      return done;
    }
    try {
      await this.options.deadLetters.add(record, failure);
    } catch (deadLetterError) {
      // Could not be kept for want of the database: retried with the others.
      if (classifyDatabaseError(deadLetterError) !== 'permanent') return { inserted: new Set(), retry: [record], failure: deadLetterError };
      this.dropped++;
      this.log.error(`metering: usage record ${record.id} refused by the database (${failure.message}) and could not be dead-lettered: ${databaseErrorMessage(deadLetterError)}`);
      return done;
    }
    this.deadLettered++;
    this.log.warn(`metering: usage record ${record.id} refused by the database (${failure.code ?? 'no SQLSTATE'}: ${failure.message}); kept in usage_dead_letters`);
    return done;
  }
}
