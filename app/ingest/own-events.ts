import type { Sql } from "../db/client.ts";
import { runInScope, type InScope } from "../db/scope.ts";
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
 * `alsoInTransaction` commits with the events, or neither does (a check's last result).
 */
export async function storeOwnEvents(sql: Sql, serviceIds: ServiceIds, actor: Actor, events: LogEvent[], alsoInTransaction?: (scoped: InScope) => Promise<void>): Promise<void> {
  const columns = toColumns(events);
  await runInScope(sql, actor, async (scoped) => {
    if (events.length) await writeBatch(scoped, serviceIds, columns);
    await alsoInTransaction?.(scoped);
  });
  observeBatch(columns.tally);
}
