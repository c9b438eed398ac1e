// Loggers for tests: `recordingLogger` keeps plain lines (the message, then the fields as JSON)
// for tests that look for a message; `jsonLogCapture` runs the real pino logger of
// src/app/logger.ts into memory, for tests that parse the JSON lines an operator's tools would read.
import type { LogFields, Logger } from '../../src/core/ports.ts';
import { createLogger } from '../../src/app/logger.ts';

export interface RecordedEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

export type RecordingLogger = Logger & { entries: RecordedEntry[] };

/** Every entry into `entries`, and as one line into `lines` when given. */
export function recordingLogger(lines?: string[]): RecordingLogger {
  const entries: RecordedEntry[] = [];
  const method =
    (level: RecordedEntry['level']) =>
    (first: LogFields | string, second?: string): void => {
      const [fields, message] = typeof first === 'string' ? [{}, first] : [first, second ?? ''];
      entries.push({ level, message, fields });
      lines?.push(Object.keys(fields).length === 0 ? message : `${message} ${JSON.stringify(fields, plain)}`);
    };
  return { entries, debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}

function plain(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack, cause: value.cause };
  return value;
}

export interface JsonLogCapture {
  logger: Logger;
  /** Everything written so far, as pino wrote it. */
  text(): string;
  /** Each line parsed as JSON (a line that is not JSON fails the test). */
  entries(): Array<Record<string, any>>;
  /** The access-log lines (kind: access). */
  accessLines(): Array<Record<string, any>>;
  /** Waits for a line matching `predicate` (lines are written when a request's work ends). */
  waitFor(predicate: (entry: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
}

export async function jsonLogCapture(options: { level?: 'debug' | 'info'; secrets?: string[] } = {}): Promise<JsonLogCapture> {
  let text = '';
  const listeners = new Set<() => void>();
  const logger = await createLogger({
    level: options.level ?? 'info',
    format: 'json',
    secrets: options.secrets ?? [],
    destination: {
      write(chunk: string) {
        text += chunk;
        for (const listener of listeners) listener();
      },
    },
  });
  const entries = () =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, any>);
  return {
    logger,
    text: () => text,
    entries,
    accessLines: () => entries().filter((entry) => entry.kind === 'access'),
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = entries().find(predicate);
          if (!found) return false;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line matched within ${timeoutMs} ms; lines:\n${text}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
