// Errors the REST edge itself raises about the HTTP request (bad field, body too large, wrong
// method). They are INVALID_REQUEST to the core's taxonomy but carry their own status and the
// offending field, which OpenAI's error body reports as `param`.
import { InvalidRequestError } from '../../core/errors.ts';

export class RestRequestError extends InvalidRequestError {
  readonly status: number;
  /** The request field at fault, as a path such as `messages[0].content`, when there is one. */
  readonly param: string | null;
  /** A machine-readable code for the error body, e.g. `request_too_large`. */
  readonly restCode: string;

  constructor(message: string, options: { status?: number; param?: string | null; restCode?: string } = {}) {
    super(message);
    this.status = options.status ?? 400;
    this.param = options.param ?? null;
    this.restCode = options.restCode ?? 'invalid_request';
  }
}

/** A field failed validation: the message names the field first. */
export function invalidField(param: string, message: string): RestRequestError {
  return new RestRequestError(`${param}: ${message}`, { param, restCode: 'invalid_field' });
}

export function requestTooLarge(limitBytes: number): RestRequestError {
  return new RestRequestError(`The request body is larger than the gateway's limit of ${limitBytes} bytes`, {
    status: 413,
    restCode: 'request_too_large',
  });
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): RestRequestError {
  return new RestRequestError(`${method} is not allowed on ${path}; use ${allowed.join(' or ')}`, {
    status: 405,
    restCode: 'method_not_allowed',
  });
}
