// One AbortSignal per open HTTP response. The client's going away before the response finished
// aborts it without a reason (the service records a client cancel); when the shutdown grace
// period runs out, the server aborts every signal still open with a ServerShutdownError, so
// streams end with a terminal event and their usage says the server, not the client, ended them.
import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../core/errors.ts';

export class RequestSignals {
  private readonly open = new Map<ServerResponse, AbortController>();

  /** The response's signal (created on first use, forgotten when the response closes). */
  signalFor(response: ServerResponse): AbortSignal {
    const existing = this.open.get(response);
    if (existing) return existing.signal;
    const controller = new AbortController();
    this.open.set(response, controller);
    // A request's own 'close' fires once its body has been read; the response's 'close' tells a
    // disconnect apart from a finished exchange.
    response.once('close', () => {
      this.open.delete(response);
      if (!response.writableFinished) controller.abort();
    });
    return controller.signal;
  }

  /** Aborts every open response's signal with `reason`. */
  abortAll(reason: GatewayError): void {
    for (const controller of this.open.values()) controller.abort(reason);
  }
}
