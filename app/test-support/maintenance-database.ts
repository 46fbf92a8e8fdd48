import { onTestFinished } from "vitest";
import type { Actor } from "../domain/actor.ts";
import { createDb, type Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { writeBatch } from "../ingest/batch-writer.ts";
import { toColumns } from "../ingest/event-columns.ts";
import { parseBatch } from "../ingest/formats/native-json.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { freshDatabase } from "./fresh-database.ts";

const ADMIN: Actor = { kind: "user", userId: 0, name: "test-admin", role: "admin", keyPrefix: "test" };

/**
 * The real schema (log_events with its service check, forced row-level security and indexes),
 * in a database of the test's own so maintenance can reshape log_events freely. The months
 * migration 0001 made for the day the suite runs are dropped, so plans start from DEFAULT
 * alone whatever the date. `pool` is a pool as the API and the controller open it (no
 * scope: maintenance must set its own); rows go in through the API's own write path as an
 * admin, and are counted as the API reads them.
 */
export async function maintenanceDatabase() {
  const url = await freshDatabase("test");
  const pool = createDb(url, { max: 4, applicationName: "failsight-maintenance-test" }).sql;
  onTestFinished(() => pool.end({ timeout: 5 }));
  const months = await pool<{ name: string }[]>`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'log_events'::regclass AND c.relname <> 'log_events_default'`;
  for (const { name } of months) await pool.unsafe(`DROP TABLE "${name}"`);
  const serviceIds = new ServiceIds();

  return {
    url,
    pool,
    /** Stores one event per time through the batch writer, as an admin's request does. */
    async ingestAt(times: Date[], message = "x", service = "maintenance-test") {
      const parsed = parseBatch(times.map((t) => ({ service, timestamp: t.toISOString(), message })), { receivedAt: new Date(), lenient: false });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      await asActor(pool, ADMIN, (scoped) => writeBatch(scoped, serviceIds, toColumns(parsed.events)));
    },
    /** Rows readable through log_events by an admin, as /logs reads them. */
    readable: async (where: (sql: Sql) => ReturnType<Sql> = (sql) => sql`true`) =>
      asActor(pool, ADMIN, async ({ sql }) => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_events WHERE ${where(sql)}`)[0]!.n),
    /** The ids readable through log_events, in order. */
    readableIds: async () => asActor(pool, ADMIN, async ({ sql }) => (await sql<{ id: string }[]>`SELECT id::text FROM log_events ORDER BY id`).map((r) => r.id)),
    attachedPartitions: async () =>
      (await pool<{ name: string }[]>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'log_events'::regclass ORDER BY 1`).map((r) => r.name),
    rowsByPartition: async () =>
      asActor(pool, ADMIN, ({ sql }) => sql<{ p: string; n: number }[]>`SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM log_events GROUP BY 1 ORDER BY 1`),
  };
}
