// An AbortSignal that fires when the client goes away before the response is finished, so the
// service closes the upstream request. A request's own 'close' fires once its body has been read,
// so the response's 'close' is the one that tells a disconnect apart from a finished exchange.
import type { ServerResponse } from 'node:http';

export function clientAbortSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
