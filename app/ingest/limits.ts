// What one ingest request may hold, whatever its format: the contract every route and
// consumer that ingests states to its clients.

export const MAX_BATCH_EVENTS = 5_000;
/** After decompression. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
