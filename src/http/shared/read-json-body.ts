// Reads a request body up to the configured limit and parses it as JSON. Past the limit the rest
// is drained, not buffered, so the client reads the 413 instead of a reset connection. A body that
// nests deeper than MAX_JSON_DEPTH is refused here, before anything recursive walks it.
import type { IncomingMessage } from 'node:http';
import { CancelledError } from '../../core/errors.ts';
import { MAX_JSON_DEPTH, tooDeepAt } from '../../core/json-depth.ts';
import { RestRequestError, requestTooLarge } from './rest-request-error.ts';

export function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    return Promise.reject(requestTooLarge(limitBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limitBytes) {
        tooLarge = true;
        chunks.length = 0;
        reject(requestTooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    });
    // The client went away mid-upload; nobody is left to answer.
    request.on('error', () => reject(new CancelledError('The client closed the connection while sending the body')));
    request.on('end', () => {
      if (tooLarge) return;
      try {
        resolve(parseJson(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw new RestRequestError('The request body is empty; send a JSON object', { restCode: 'invalid_json' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The parser's message says where the syntax broke; it holds no internals.
    throw new RestRequestError(`The request body is not valid JSON: ${(error as SyntaxError).message}`, { restCode: 'invalid_json' });
  }
  const tooDeep = tooDeepAt(parsed);
  if (tooDeep !== null) {
    throw new RestRequestError(`${tooDeep}: the request body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`, {
      param: tooDeep,
      restCode: 'json_too_deep',
    });
  }
  return parsed;
}
