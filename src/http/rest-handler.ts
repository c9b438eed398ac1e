import type { IncomingMessage, ServerResponse } from 'node:http';

/** A node:http handler for a group of REST routes (the REST API, the console's files). */
export interface RestHandler {
  /**
   * Returns true when it handled the request. `signal` aborts when the client goes away before
   * the response finished, or with a ServerShutdownError when the shutdown grace period ran out.
   */
  (request: IncomingMessage, response: ServerResponse, signal: AbortSignal): Promise<boolean>;
}
