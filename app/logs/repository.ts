import { and, asc, between, desc, eq, gt, gte, ilike, inArray, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Db, Sql } from "../db/client.ts";
import { logEvents, services } from "../db/schema.ts";
import { timed } from "../db/query-metrics.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { encodeCursor } from "./cursor.ts";
import { readsServiceIndexInOrder, type LogsPlan } from "./plan.ts";

// Runs a LogsPlan. Keyset pagination on (ts, id) keeps a deep page as cheap as the first,
// and explicit bounds on ts let PostgreSQL prune partitions (a row comparison alone does not).

/** Microsecond ISO text: a JS Date would drop the microseconds a cursor needs. */
const tsText = sql<string>`to_char(${logEvents.ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * The plan's query. A first page (no snapshot yet) reads the id sequence's high-water mark
 * in the same statement, once, and it comes back on every row for the cursor; later pages
 * carry it in the cursor and read only rows at or below it.
 */
export function buildLogsQuery(db: Db, plan: LogsPlan, serviceIds: number[] | undefined) {
  const newestFirst = plan.order === "desc";
  const snap = db.$with("snap").as(db.select({ last: sql<string>`CASE WHEN is_called THEN last_value ELSE 0 END`.as("last") }).from(sql`log_events_id_seq`));
  const snapshot = plan.snapshotId !== undefined ? sql<string>`${String(plan.snapshotId)}::bigint` : sql<string>`(SELECT ${snap.last} FROM ${snap})`;
  const conditions: (SQL | undefined)[] = [
    serviceIds ? inArray(logEvents.serviceId, serviceIds) : undefined,
    plan.minLevel ? gte(logEvents.level, plan.minLevel) : undefined,
    plan.status ? between(logEvents.httpStatus, plan.status.min, plan.status.max) : undefined,
    plan.errorCodes ? inArray(logEvents.errorCode, plan.errorCodes) : undefined,
    plan.from ? gte(logEvents.ts, plan.from) : undefined,
    plan.to ? lt(logEvents.ts, plan.to) : undefined,
    plan.q ? ilike(logEvents.message, `%${escapeLike(plan.q)}%`) : undefined,
    plan.traceId ? eq(logEvents.traceId, plan.traceId) : undefined,
    // Only later pages filter on the snapshot. A first page's rows are those its statement
    // sees, all written by transactions that committed before it began, so with ids drawn
    // before the sequence is read: the filter would drop nothing, and as a condition on a
    // subquery's value it made PostgreSQL sort every matching row instead of reading the
    // indexes in order up to the LIMIT (7 ms of a 1,000-row page).
    plan.snapshotId !== undefined ? sql`${logEvents.id} <= ${snapshot}` : undefined,
  ];
  if (plan.after) {
    const at = sql`${plan.after.ts}::timestamptz`;
    conditions.push(
      newestFirst ? lte(logEvents.ts, at as never) : gte(logEvents.ts, at as never),
      newestFirst
        ? sql`(${logEvents.ts}, ${logEvents.id}) < (${at}, ${plan.after.id})`
        : sql`(${logEvents.ts}, ${logEvents.id}) > (${at}, ${plan.after.id})`,
    );
  }
  const direction = newestFirst ? desc : asc;
  return (plan.snapshotId !== undefined ? db : db.with(snap))
    .select({
      id: logEvents.id,
      snapshot: sql<string>`${snapshot}`.as("snapshot"),
      ts: tsText,
      item: itemJson,
    })
    .from(logEvents)
    .where(and(...conditions))
    .orderBy(direction(logEvents.ts), direction(logEvents.id))
    .limit(plan.limit + 1);
}

/**
 * One event as GET /logs shows it, written as JSON text by PostgreSQL: the API hands the
 * page on without building an object per row and serialising it again, which cost it more
 * than the query for a 1,000-row page (#15). A text, not json: postgres.js would parse a
 * json column. The names and types are LogItem's (api/routes/logs/schema.ts; its test
 * checks every item against that schema).
 */
const itemJson = sql<string>`json_build_object(
  'id', ${logEvents.id}, 'ts', ${tsText},
  -- A scalar subquery runs only for the rows the LIMIT lets through; a join could make the planner sort the whole range first.
  'service', (SELECT ${services.name} FROM ${services} WHERE ${services.id} = ${logEvents.serviceId}),
  'level', ${logEvents.level}, 'message', ${logEvents.message}, 'method', ${logEvents.httpMethod}, 'route', ${logEvents.httpRoute},
  'status', ${logEvents.httpStatus}, 'error_code', ${logEvents.errorCode}, 'latency_ms', ${logEvents.latencyMs},
  'trace_id', ${logEvents.traceId}, 'span_id', ${logEvents.spanId}, 'attributes', ${logEvents.attributes},
  'received_at', to_char(${logEvents.receivedAt} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text`;

/** A page: each item the JSON text of one event, and the cursor to the next page. */
export type LogsPage = { items: string[]; nextCursor: string | null };

/**
 * How /logs statements are planned, set in the caller's transaction without waiting (the
 * statement follows on the same connection). A page is at most LIMIT rows in (ts, id)
 * order, which an index gives without a sort; but under row-level security PostgreSQL
 * estimates the policy's service subquery to pass ~0.5% of rows, so with a text filter it
 * expected a handful of matches, chose a bitmap scan and sorted every row of the range: a
 * viewer's text search over one service's day took 21 ms (68 ms under EXPLAIN) where the
 * index walked in order to the LIMIT takes 8.6 (5.6), on 1M events with 400k live ones.
 * Without bitmap scans it walks the index. Moving the role test inside the subquery, or an
 * `= ANY(array)` policy, did not change the estimate. The bench runs its SQL with this too.
 *
 * A page of one service whose filters no other index serves is also planned without
 * sorts (plan.ts, readsServiceIndexInOrder). Statistics lag ingest: right after a burst
 * they still expect the hour's old trickle, and PostgreSQL chose to read every row of the
 * range from each month's partition and sort them rather than merge the partitions'
 * indexes up to the LIMIT: 80 ms for 20,000 fresh events of one service where the merge
 * reads 101 rows in 0.4 ms (#15). Walking that index in order is never the worse plan for
 * such a page, since no other index could narrow its rows.
 */
export function planLikeAPage(sqlClient: Sql, plan: LogsPlan): void {
  const sort = readsServiceIndexInOrder(plan) ? "off" : "on";
  void sqlClient`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', ${sort}, true)`.execute();
}

export async function readLogsPage(db: Db, sqlClient: Sql, ids: ServiceIds, plan: LogsPlan): Promise<LogsPage> {
  planLikeAPage(sqlClient, plan);
  let serviceIds: number[] | undefined;
  if (plan.services) {
    serviceIds = [...(await ids.find(sqlClient, plan.services)).values()];
    if (serviceIds.length === 0) return { items: [], nextCursor: null };
  }
  const rows = await timed("logs_query", () => buildLogsQuery(db, plan, serviceIds).execute());
  const more = rows.length > plan.limit;
  const items = more ? rows.slice(0, plan.limit) : rows;
  const last = items.at(-1);
  const snapshotId = plan.snapshotId ?? Number(rows[0]?.snapshot ?? 0);
  const nextCursor =
    more && last
      ? encodeCursor({
          f: plan.fingerprint,
          ts: last.ts,
          id: last.id,
          s: snapshotId,
          ...(plan.from ? { from: plan.from.getTime() } : {}),
          ...(plan.to ? { to: plan.to.getTime() } : {}),
        })
      : null;
  return { items: items.map((r) => r.item), nextCursor };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
