// The request id: the client's `x-request-id` when it sent a sane one, otherwise a new one.
import type { IncomingHttpHeaders } from 'node:http';

const usable = /^[\x21-\x7e]{1,200}$/;

export function requestIdFor(headers: IncomingHttpHeaders, newId: () => string): string {
  const sent = headers['x-request-id'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value !== undefined && usable.test(value) ? value : `req_${newId().replaceAll('-', '')}`;
}
