// The console's only way to the gateway: the public GraphQL API at /graphql with the signed-in key,
// over fetch for queries and mutations and graphql-ws for subscriptions.
import { createClient, type Client } from 'graphql-ws';

const STORAGE_KEY = 'modelgraph.apiKey';

/** The key lives in sessionStorage: it is gone when the tab closes. */
export const session = {
  get key(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  },
  set key(value: string | null) {
    if (value === null) sessionStorage.removeItem(STORAGE_KEY);
    else sessionStorage.setItem(STORAGE_KEY, value);
  },
};

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLErrorShape[]) {
    super(errors.map((error) => (error.extensions?.code ? `${error.extensions.code}: ${error.message}` : error.message)).join('; '));
  }
}

export async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(new URL('/graphql', location.href), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${session.key ?? ''}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: GraphQLErrorShape[] } | null;
  if (!body) throw new Error(`The server answered ${response.status} without a GraphQL result`);
  if (body.errors?.length) throw new GraphQLRequestError(body.errors);
  return body.data as T;
}

/** A mutation result union member: its typed error (`... on Error`) becomes an exception. */
export function unwrap<T extends { __typename: string }>(result: T): T {
  const error = result as unknown as { code?: string; message?: string };
  if (error.code !== undefined) throw new Error(`${error.code}: ${error.message ?? ''}`);
  return result;
}

let client: Client | null = null;

function subscriptions(): Client {
  if (!client) {
    const url = new URL('/graphql', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    client = createClient({ url: url.href, lazy: true, retryAttempts: 3, connectionParams: () => ({ authorization: `Bearer ${session.key ?? ''}` }) });
  }
  return client;
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(error: Error): void;
  complete(): void;
}

/** Starts a subscription; returns the function that stops it. */
export function subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
  return subscriptions().subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors?.length) handlers.error(new GraphQLRequestError(message.errors as GraphQLErrorShape[]));
        else if (message.data) handlers.next(message.data as T);
      },
      error: (error) => handlers.error(toError(error)),
      complete: handlers.complete,
    },
  );
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (Array.isArray(error)) return new GraphQLRequestError(error as GraphQLErrorShape[]);
  if (error && typeof error === 'object' && 'reason' in error) return new Error(`Connection closed: ${String((error as CloseEvent).reason || (error as CloseEvent).code)}`);
  return new Error(String(error));
}

/** Follows the WebSocket connection: true once the server acknowledged it, false when it closed. */
export function onConnection(listener: (connected: boolean) => void): () => void {
  const offConnected = subscriptions().on('connected', () => listener(true));
  const offClosed = subscriptions().on('closed', () => listener(false));
  return () => {
    offConnected();
    offClosed();
  };
}

export function signOut(): void {
  void client?.dispose();
  client = null;
  session.key = null;
}
