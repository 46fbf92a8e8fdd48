import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import type { Actor } from "../domain/actor.ts";
import type { LogEvent } from "../domain/log-event.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { writeBatch } from "./batch-writer.ts";
import { toColumns } from "./event-columns.ts";
import { observeBatch } from "./metrics.ts";

/**
 * Stores events Failsight produces itself (check results, heartbeat pings) through the same
 * writer as every ingested batch, so roll-ups, live tail, /logs and the per-service metrics
 * see them like any other event. `actor` is whose rights the write uses: the check runner
 * acts as Failsight (system), a ping as an ingest scope of its one service.
 */
export async function storeOwnEvents(sql: Sql, serviceIds: ServiceIds, actor: Actor, events: LogEvent[]): Promise<void> {
  if (events.length === 0) return;
  const columns = toColumns(events);
  await asActor(sql, actor, (scoped) => writeBatch(scoped, serviceIds, columns));
  observeBatch(columns.tally);
}
