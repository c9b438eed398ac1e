// The port for stored Responses API responses: `previous_response_id`, GET and DELETE
// /v1/responses/{id}. A response belongs to the team of the key that created it (or to the key when
// it has no team); any other owner finds nothing. The payloads are the wire's JSON, opaque here.
import type { Caller } from './auth.ts';

export interface StoredResponse {
  id: string;
  owner: string;
  previousResponseId: string | null;
  /** The turn's input items as sent (instructions are not part of them). */
  input: unknown[];
  /** The response object as returned. */
  response: Record<string, unknown>;
  createdAt: Date;
  /** After this the response is gone for every purpose; null = kept until deleted. */
  expiresAt: Date | null;
}

export interface ResponseStore {
  save(response: Omit<StoredResponse, 'createdAt'>): Promise<void>;
  /** The owner's unexpired response, or null. */
  find(id: string, owner: string, now: Date): Promise<StoredResponse | null>;
  /**
   * The response and every one it continues, oldest first, in one query. The chain stops early
   * (its first row has a previousResponseId) when a response in it was deleted or expired.
   */
  conversation(id: string, owner: string, now: Date): Promise<StoredResponse[]>;
  delete(id: string, owner: string): Promise<boolean>;
}

/** Whose a response is: the caller's team, else the caller's key; `anonymous` when auth is off. */
export function responseOwner(caller: Caller | undefined): string {
  if (!caller) return 'anonymous';
  return caller.teamId !== null ? `team:${caller.teamId}` : `key:${caller.keyId}`;
}
