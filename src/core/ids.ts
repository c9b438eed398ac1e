// Ids of stored rows (keys, teams, users, deployments, generations) are UUIDs, and Postgres's `uuid`
// type rejects any other text with an error. An id from a client is checked here before it reaches
// a query: text that is not a UUID names no row, so it is answered like a well-formed unknown id.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the text is a UUID in its canonical 8-4-4-4-12 form (any case). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The values that are UUIDs (the others name no row). */
export function uuidsOnly(values: readonly string[]): string[] {
  return values.filter(isUuid);
}
