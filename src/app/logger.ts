// Part of the composition root: the Logger port implemented by pino. JSON lines on stdout (one
// object per line, what log shippers read); human-readable through pino-pretty when stdout is a
// terminal, loaded only then. Errors are written with their stack; errors and the messages of
// warnings and errors (which quote database and upstream errors) lose anything shaped like a
// credential and the credentials this instance is configured with.
import pino, { type DestinationStream, type LoggerOptions as PinoOptions } from 'pino';
import type { AppConfig } from '../config.ts';
import type { Logger } from '../core/ports.ts';
import { credentialsOf, SecretScrubber } from '../core/secret-scrubber.ts';

export interface LoggerOptions {
  level: AppConfig['log']['level'];
  format: AppConfig['log']['format'];
  /** Credentials this instance knows (admin key, provider keys), removed from errors and warnings. */
  secrets?: Iterable<string | undefined | null>;
  /** Where JSON lines go instead of stdout (tests). */
  destination?: DestinationStream;
}

const WARN = 40;

/** The process's logger, as the config's `log` section (and LOG_LEVEL) say. */
export function loggerFor(config: AppConfig): Promise<Logger> {
  return createLogger({ ...config.log, secrets: knownSecrets(config) });
}

/** What is removed wherever it appears: the admin key, the secret key and the config's provider credentials. */
export function knownSecrets(config: AppConfig): string[] {
  const secrets = config.providers.flatMap((provider) => credentialsOf(provider));
  if (config.adminKey) secrets.push(config.adminKey);
  if (config.secretKey) secrets.push(config.secretKey);
  return secrets;
}

export async function createLogger(options: LoggerOptions): Promise<Logger> {
  const scrubber = new SecretScrubber(options.secrets ?? []);
  const pretty = !options.destination && (options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true));
  const destination = options.destination ?? (pretty ? await prettyStream() : jsonLinesToStdout());
  const settings: PinoOptions = {
    level: options.level,
    timestamp: isoTimestamp,
    // "level":"info" rather than 30: readable without pino's tables.
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: (error: unknown) => serializeError(error, scrubber) },
    hooks: {
      logMethod(args, method, level) {
        if (level >= WARN) {
          const last = args.length - 1;
          if (typeof args[last] === 'string') args[last] = scrubber.scrub(args[last] as string);
        }
        method.apply(this, args);
      },
    },
  };
  return pino(settings, destination);
}

let timestampSecond = -1;
let timestampPrefix = '';

/**
 * pino's `isoTime` (`,"time":"2026-12-06T18:10:05.123Z"`) with the part up to the second built
 * once per second: `new Date().toISOString()` on every access line was ~1 % of a request's CPU.
 */
export function isoTimestamp(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== timestampSecond) {
    timestampSecond = second;
    // "2026-12-06T18:10:05." (the first 20 characters of the ISO form)
    timestampPrefix = `,"time":"${new Date(second * 1000).toISOString().slice(0, 20)}`;
  }
  const ms = now - second * 1000;
  return `${timestampPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/** Lines are held until 4 KB have gathered or 100 ms have passed; pino writes what is left when the process exits. */
const STDOUT_BUFFER_BYTES = 4096;
const STDOUT_FLUSH_MS = 100;

/**
 * JSON lines on stdout, written asynchronously (sonic-boom) and in batches: one write per access
 * line cost a write syscall and a thread-pool round trip per request, a few percent of a request's
 * CPU (BENCHMARKS.md, hot path). A crash that skips the exit handlers (SIGKILL) loses at most the
 * last 100 ms of lines.
 */
function jsonLinesToStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: STDOUT_BUFFER_BYTES, periodicFlush: STDOUT_FLUSH_MS });
}

async function prettyStream(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ colorize: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l', sync: true });
}

/** pino's error shape (type, message, stack, cause chain), scrubbed. */
function serializeError(error: unknown, scrubber: SecretScrubber): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? scrubber.scrub(error) : error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const scrubbed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    // Fields added by libraries (postgres.js: `query`, `parameters`) may quote request values; keep only plain facts.
    if (key === 'parameters' || key === 'query' || key === 'raw') continue;
    scrubbed[key] = typeof value === 'string' ? scrubber.scrub(value) : value;
  }
  return scrubbed;
}
