// What an endpoint gets: the HTTP pair, the request id, the client-disconnect signal, the caller
// and the parsed body. Endpoints know nothing of routing, CORS, limits or authentication.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Caller } from '../../core/auth.ts';
import type { CatalogService } from '../../core/catalog.ts';
import type { CompletionService } from '../../core/completion-service.ts';
import type { Clock } from '../../core/ports.ts';
import type { RequestLog } from '../../core/request-log.ts';

export interface RestServices {
  completions: Pick<CompletionService, 'create' | 'stream'>;
  catalog: Pick<CatalogService, 'listModels' | 'model' | 'isRoutable'>;
  clock: Clock;
  newId(): string;
}

export interface RestExchange {
  request: IncomingMessage;
  response: ServerResponse;
  requestId: string;
  /** Aborted when the client goes away before the response is finished. */
  signal: AbortSignal;
  /**
   * For a stream: `signal`, also aborted (with the UnauthenticatedError as its reason) when the
   * caller's key is revoked, disabled or expires, so that the stream ends with an error event.
   */
  streamSignal(): AbortSignal;
  caller: Caller | undefined;
  /** The parsed JSON body (undefined for GET). */
  body: unknown;
  /** Path parameters, e.g. `id` of /v1/models/{id}. */
  params: Record<string, string>;
  /** The request's access-log line; services report their usage records to it. */
  requestLog?: RequestLog;
}

export interface RestEndpoint {
  (exchange: RestExchange): Promise<void>;
}
