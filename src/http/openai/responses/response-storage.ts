// What the Responses endpoints do with stored responses: decide whether a request is stored, read
// back the conversation a previous_response_id continues (parsed with the input schema, as a
// client's items are) and save a finished response. Storage off answers 400 to whatever needs it.
import { z } from 'zod';
import type { Caller } from '../../../core/auth.ts';
import { GatewayError, NotFoundError } from '../../../core/errors.ts';
import type { Clock } from '../../../core/ports.ts';
import { responseOwner, type ResponseStore } from '../../../core/stored-responses.ts';
import { invalidField, RestRequestError } from '../../shared/rest-request-error.ts';
import type { ResponseObject } from './response-object.ts';
import { responsesInputItemSchema, type ResponsesInputItem, type ResponsesRequest } from './responses-request-schema.ts';

export interface ResponseStorageSettings {
  /** Null when storage is off (`responses.store: false`). */
  store: ResponseStore | null;
  /** Stored responses expire after this long; undefined = kept until deleted. */
  ttlMs?: number | undefined;
  clock: Clock;
}

const storedItemsSchema = z.array(responsesInputItemSchema);
const storageOff = (param: string | null) =>
  new RestRequestError('Response storage is turned off on this gateway (responses.store: false)', { param, restCode: 'storage_disabled' });

export class ResponseStorage {
  constructor(private readonly settings: ResponseStorageSettings) {}

  /** Whether this request's response is stored; 400 when it asks for storage that is off. */
  willStore(request: ResponsesRequest): boolean {
    if (this.settings.store === null) {
      if (request.store === true) throw storageOff('store');
      if (request.previous_response_id != null) throw storageOff('previous_response_id');
      return false;
    }
    return request.store !== false;
  }

  /** The items of the stored conversation `previousResponseId` ends, oldest first: each turn's input, then its output. */
  async conversationItems(previousResponseId: string, caller: Caller | undefined): Promise<ResponsesInputItem[]> {
    const store = this.requireStore('previous_response_id');
    const turns = await store.conversation(previousResponseId, responseOwner(caller), new Date(this.settings.clock.now()));
    if (turns.length === 0) throw invalidField('previous_response_id', `no stored response "${previousResponseId}" (it was not stored, was deleted or expired)`);
    if (turns[0]!.previousResponseId !== null) {
      throw invalidField('previous_response_id', 'an earlier response of this conversation was deleted or expired');
    }
    const parsed = storedItemsSchema.safeParse(turns.flatMap((turn) => [...turn.input, ...outputOf(turn.response)]));
    if (!parsed.success) throw new GatewayError('INTERNAL', `stored conversation of ${previousResponseId} does not parse: ${parsed.error.message}`);
    return parsed.data;
  }

  async save(response: ResponseObject, input: ResponsesInputItem[], caller: Caller | undefined): Promise<void> {
    const store = this.requireStore('store');
    const now = this.settings.clock.now();
    await store.save({
      id: response.id,
      owner: responseOwner(caller),
      previousResponseId: response.previous_response_id,
      input,
      response,
      expiresAt: this.settings.ttlMs === undefined ? null : new Date(now + this.settings.ttlMs),
    });
  }

  async retrieve(id: string, caller: Caller | undefined) {
    const found = await this.requireStore(null).find(id, responseOwner(caller), new Date(this.settings.clock.now()));
    if (!found) throw notFound(id);
    return found;
  }

  async delete(id: string, caller: Caller | undefined): Promise<void> {
    if (!(await this.requireStore(null).delete(id, responseOwner(caller)))) throw notFound(id);
  }

  private requireStore(param: string | null): ResponseStore {
    if (this.settings.store === null) throw storageOff(param);
    return this.settings.store;
  }
}

const notFound = (id: string) => new NotFoundError(`No response with id "${id}" found`);

function outputOf(response: Record<string, unknown>): unknown[] {
  return Array.isArray(response['output']) ? response['output'] : [];
}
