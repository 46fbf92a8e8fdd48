import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Sql } from "../db/client.ts";
import { retryingPartitionRace } from "../db/partition-race.ts";
import { timed } from "../metrics/db-metrics.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { COPY_COLUMNS, copyRow } from "./copy-encoding.ts";
import type { NormalizedEvent } from "./parse-batch.ts";

const CHUNK_BYTES = 256 * 1024;

/**
 * Writes a validated batch with one COPY inside one transaction, and resolves only after
 * the commit: an acknowledged batch is durable, a failed one left nothing behind.
 * Rows route to their monthly partition, or to DEFAULT when none covers them; a batch
 * caught by maintenance attaching its month is retried (see retryingPartitionRace).
 */
export async function writeBatch(sql: Sql, serviceIds: ServiceIds, events: NormalizedEvent[]): Promise<number> {
  const ids = await serviceIds.register(events.map((e) => e.service));
  await timed("ingest_copy", () =>
    retryingPartitionRace(() =>
      sql.begin(async (tx) => {
        const copy = await tx.unsafe(`COPY log_events (${COPY_COLUMNS.join(", ")}) FROM STDIN`).writable();
        await pipeline(Readable.from(chunks(events, ids)), copy);
      }),
    ),
  );
  return events.length;
}

function* chunks(events: NormalizedEvent[], ids: Map<string, number>): Generator<string> {
  let buffer = "";
  for (const event of events) {
    buffer += copyRow(event, ids.get(event.service)!);
    if (buffer.length >= CHUNK_BYTES) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer) yield buffer;
}
