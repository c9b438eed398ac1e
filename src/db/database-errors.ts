// What a failed statement means, on postgres.js and PGlite alike (drizzle wraps the driver's error
// as `cause`): the database could not be reached (a retry later may work, and budgets may apply
// `budgetsWhenDatabaseUnavailable`), another transient failure (serialization, deadlock, out of
// resources), or a permanent one that no retry fixes (the data or the statement is refused).

export type DatabaseErrorKind = 'connection' | 'transient' | 'permanent';

/** Node socket errors and postgres.js's own connection codes. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * SQLSTATE classes no retry can fix: 21 cardinality, 22 data exception (22021 NUL byte), 23
 * integrity violation, 42 syntax or access rule, 54 program limit (54000 index row too large),
 * 0A feature not supported.
 */
const PERMANENT_CLASSES = new Set(['0A', '21', '22', '23', '42', '54']);

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The error and its causes, outermost first. */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let current = error; current != null && errors.length < 5; current = (current as { cause?: unknown }).cause) errors.push(current);
  return errors;
}

const codeOf = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

/** The SQLSTATE the server answered with, when it answered. */
export function sqlStateOf(error: unknown): string | null {
  for (const item of chain(error)) {
    const code = codeOf(item);
    if (code !== null && SQLSTATE.test(code)) return code;
  }
  return null;
}

export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  const state = sqlStateOf(error);
  if (state !== null) {
    // 08 connection exception, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections.
    if (state.startsWith('08') || state.startsWith('57P') || state === '53300') return 'connection';
    return PERMANENT_CLASSES.has(state.slice(0, 2)) ? 'permanent' : 'transient';
  }
  for (const item of chain(error)) {
    const code = codeOf(item);
    if (code !== null && CONNECTION_CODES.has(code)) return 'connection';
    if (item instanceof Error && item.message === 'PGlite is closed') return 'connection';
  }
  // A value the driver could not even encode is refused the same way every time.
  if (chain(error).some((item) => item instanceof TypeError || item instanceof RangeError)) return 'permanent';
  return 'transient';
}

/** True only when the database could not be reached: the one case budgets may be served without. */
export function isDatabaseUnreachable(error: unknown): boolean {
  return classifyDatabaseError(error) === 'connection';
}

/**
 * The driver's own message, without drizzle's "Failed query: ... params: ..." wrapper, which
 * repeats the statement and its parameters (client data) into logs.
 */
export function databaseErrorMessage(error: unknown): string {
  const items = chain(error);
  const innermost = [...items].reverse().find((item) => item instanceof Error) as Error | undefined;
  return innermost ? innermost.message : String(error);
}
