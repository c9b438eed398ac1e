// The request id: the client's `x-request-id` when it sent a sane one (bounded, a charset that is
// safe in a header, a log line and a URL), otherwise a new one.
import type { IncomingHttpHeaders } from 'node:http';

const usable = /^[A-Za-z0-9._:@/+=~-]{1,128}$/;

export function requestIdFor(headers: IncomingHttpHeaders, newId: () => string): string {
  const sent = headers['x-request-id'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  return value !== undefined && usable.test(value) ? value : `req_${newId().replaceAll('-', '')}`;
}
