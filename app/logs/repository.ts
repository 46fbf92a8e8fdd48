import { fillPlaceholders, sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Sql } from "../db/client.ts";
import { ENTRY_COLUMNS, type EntryValues } from "../access/audit-log.ts";
import { logEvents, services, severity } from "../db/schema.ts";
import { timed } from "../db/query-metrics.ts";
import { encodeCursor } from "./cursor.ts";
import { readsServiceIndexInOrder, type LogsPlan } from "./plan.ts";

// Runs a LogsPlan. Keyset pagination on (ts, id) keeps a deep page as cheap as the first,
// and explicit bounds on ts let PostgreSQL prune partitions (a row comparison alone does not).

/** Microsecond ISO text: a JS Date would drop the microseconds a cursor needs. */
const tsText = sql<string>`to_char(${logEvents.ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A page's statement: its text, one of a few (pageShape), and the values for its parameters. */
export type PageStatement = { sql: string; params: unknown[] };

/**
 * The statement that reads a page of the plan, and, given `entry` (the audit entry's values
 * but its row count, access/audit-log.ts), writes that entry with the number of events the
 * page returns: the read and its record are one statement, sent with BEGIN and COMMIT in
 * one round trip (db/scope.ts, readInOneTrip). Its text depends only on the page's shape
 * (order, first or later page, recorded or not), never on which filters are set or how
 * many services: each filter is written `($n IS NULL OR condition)` and takes NULL when
 * absent, and a list of several is one array parameter. So a connection prepares at most
 * twelve statements, each once, and a page costs no round trip of its own to describe
 * (drizzle runs its queries unprepared, and postgres.js describes an unprepared
 * statement's parameters before it binds them: a round trip per request, and the statement
 * parsed and analyzed each time). Every execution is planned for its own values
 * (planLikeAPage sets force_custom_plan), and a plan for given values folds
 * `NULL IS NULL OR …` away: the plan is the one the filters alone would get, partitions
 * pruned and indexes chosen for them (query.test.ts).
 */
export function pageStatement(plan: LogsPlan, serviceIds: number[] | undefined, entry?: EntryValues): PageStatement {
  const shape = pageShape(plan, entry !== undefined);
  let built = statements.get(shape);
  if (!built) statements.set(shape, (built = buildPageStatement(plan.order, plan.snapshotId !== undefined, plan.after !== undefined, entry !== undefined)));
  return { sql: built.sql, params: fillPlaceholders(built.params, { ...pageValues(plan, serviceIds), ...entryPlaceholders(entry) }) };
}

/** The statement texts a page can have: order × first page, later page, later page past a position × recorded or not. */
export function pageShape(plan: Pick<LogsPlan, "order" | "snapshotId" | "after">, recorded = false): string {
  return `${plan.order}:${plan.snapshotId !== undefined ? "snapshot" : "first"}:${plan.after ? "after" : "start"}${recorded ? ":recorded" : ""}`;
}

const statements = new Map<string, PageStatement>();

const entryPlaceholder = (column: string) => `entry_${column}`;

function entryPlaceholders(entry: EntryValues | undefined): Record<string, unknown> {
  return entry ? Object.fromEntries(ENTRY_COLUMNS.map(([column], i) => [entryPlaceholder(column), entry[i]])) : {};
}

/** What a page's placeholders take: NULL for a filter the plan does not have. */
function pageValues(plan: LogsPlan, serviceIds: number[] | undefined): Record<string, unknown> {
  return {
    // One value is compared with `=`, several with `= ANY`: PostgreSQL 15 reads an index in
    // order only for the former, so a one-service page under `= ANY` sorted its whole range.
    service: serviceIds?.length === 1 ? serviceIds[0] : null,
    serviceIds: serviceIds && serviceIds.length > 1 ? serviceIds : null,
    minLevel: plan.minLevel ?? null,
    statusMin: plan.status?.min ?? null,
    statusMax: plan.status?.max ?? null,
    errorCode: plan.errorCodes?.length === 1 ? plan.errorCodes[0] : null,
    errorCodes: plan.errorCodes && plan.errorCodes.length > 1 ? plan.errorCodes : null,
    // Dates are text both ways on Failsight's pools (db/client.ts).
    from: plan.from?.toISOString() ?? null,
    to: plan.to?.toISOString() ?? null,
    q: plan.q !== undefined ? `%${escapeLike(plan.q)}%` : null,
    traceId: plan.traceId ?? null,
    snapshotId: plan.snapshotId !== undefined ? String(plan.snapshotId) : null,
    afterTs: plan.after?.ts ?? null,
    afterId: plan.after ? String(plan.after.id) : null,
    limit: plan.limit + 1,
  };
}

/**
 * A page's statement for one shape. A first page (no snapshot yet) reads the id sequence's
 * high-water mark in the same statement, once, and it comes back on every row for the
 * cursor; later pages carry it in the cursor and read only rows at or below it.
 */
function buildPageStatement(order: LogsPlan["order"], hasSnapshot: boolean, hasAfter: boolean, recorded: boolean): PageStatement {
  const dialect = new PgDialect();
  const p = (name: string) => sql.placeholder(name);
  const levelType = sql.raw(severity.enumName);
  /** `value IS NULL OR condition`: a filter the plan may leave out. */
  const optional = (value: SQL, condition: SQL) => sql`(${value} IS NULL OR ${condition})`;
  const newestFirst = order === "desc";
  const snapshot = hasSnapshot ? sql<string>`${p("snapshotId")}::bigint` : sql<string>`(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM log_events_id_seq)`;
  const conditions: SQL[] = [
    optional(sql`${p("service")}::integer`, sql`${logEvents.serviceId} = ${p("service")}::integer`),
    optional(sql`${p("serviceIds")}::integer[]`, sql`${logEvents.serviceId} = ANY(${p("serviceIds")}::integer[])`),
    optional(sql`${p("minLevel")}::${levelType}`, sql`${logEvents.level} >= ${p("minLevel")}::${levelType}`),
    optional(sql`${p("statusMin")}::smallint`, sql`${logEvents.httpStatus} BETWEEN ${p("statusMin")}::smallint AND ${p("statusMax")}::smallint`),
    optional(sql`${p("errorCode")}::text`, sql`${logEvents.errorCode} = ${p("errorCode")}::text`),
    optional(sql`${p("errorCodes")}::text[]`, sql`${logEvents.errorCode} = ANY(${p("errorCodes")}::text[])`),
    optional(sql`${p("from")}::timestamptz`, sql`${logEvents.ts} >= ${p("from")}::timestamptz`),
    optional(sql`${p("to")}::timestamptz`, sql`${logEvents.ts} < ${p("to")}::timestamptz`),
    optional(sql`${p("q")}::text`, sql`${logEvents.message} ILIKE ${p("q")}::text`),
    optional(sql`${p("traceId")}::text`, sql`${logEvents.traceId} = ${p("traceId")}::text`),
    // Only later pages filter on the snapshot. A first page's rows are those its statement
    // sees, all written by transactions that committed before it began, so with ids drawn
    // before the sequence is read: the filter would drop nothing, and as a condition on a
    // subquery's value it made PostgreSQL sort every matching row instead of reading the
    // indexes in order up to the LIMIT (7 ms of a 1,000-row page).
    ...(hasSnapshot ? [sql`${logEvents.id} <= ${snapshot}`] : []),
  ];
  if (hasAfter) {
    // The bound on ts alone lets PostgreSQL prune partitions; the row comparison does not.
    const at = sql`${p("afterTs")}::timestamptz`;
    const id = sql`${p("afterId")}::bigint`;
    conditions.push(
      newestFirst ? sql`${logEvents.ts} <= ${at}` : sql`${logEvents.ts} >= ${at}`,
      newestFirst ? sql`(${logEvents.ts}, ${logEvents.id}) < (${at}, ${id})` : sql`(${logEvents.ts}, ${logEvents.id}) > (${at}, ${id})`,
    );
  }
  const direction = sql.raw(newestFirst ? "DESC" : "ASC");
  const backwards = sql.raw(newestFirst ? "ASC" : "DESC");
  const page = sql`SELECT ${logEvents.id} AS id, ${snapshot} AS snapshot, ${tsText} AS ts, ${itemJson} AS item
    FROM ${logEvents}
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY ${logEvents.ts} ${direction}, ${logEvents.id} ${direction}
    LIMIT ${p("limit")}`;
  // The page comes back as one row (PageRow): its items joined in order into one text, how
  // many rows it read (one past the LIMIT says a next page exists), and the position of
  // the last row shown, second from the end, for the cursor. A row per event cost the API
  // 6.4-7.5 ms of CPU for a 1,000-row page, in row objects, decoding and joining, against
  // 2.4-2.6 for the one row (#15). A CTE's rows have no order of their own, so each
  // aggregate orders them again: by the ts text (fixed-width UTC, compared byte by byte) and id.
  const inOrder = sql`ORDER BY ts COLLATE "C" ${direction}, id ${direction}`;
  const fromTheEnd = sql`ORDER BY ts COLLATE "C" ${backwards}, id ${backwards}`;
  const aggregated = sql`SELECT string_agg(item, ${ITEM_SEPARATOR_SQL} ${inOrder}) AS items, count(*)::integer AS rows, max(snapshot) AS snapshot,
    (array_agg(ts ${fromTheEnd}))[2] AS last_ts, (array_agg(id ${fromTheEnd}))[2] AS last_id FROM page`;
  if (!recorded) return dialect.sqlToQuery(sql`WITH page AS (${page}) ${aggregated}`);
  // The entry counts what the caller is shown: the page's rows but the one past the LIMIT
  // that only says whether a next page exists.
  const columns = sql.raw(ENTRY_COLUMNS.map(([column]) => column).join(", "));
  const values = sql.join(
    ENTRY_COLUMNS.map(([column, type]) => sql`${p(entryPlaceholder(column))}::${sql.raw(type)}`),
    sql`, `,
  );
  const statement = sql`WITH page AS (${page}),
    entry AS (INSERT INTO audit_log (${columns}, row_count) SELECT ${values}, least(count(*), ${p("limit")}::integer - 1) FROM page)
    ${aggregated}`;
  return dialect.sqlToQuery(statement);
}

/**
 * What joins a page's items: a comma, which JSON needs between array elements, and a
 * newline, which no item holds (PostgreSQL writes control characters in JSON strings as
 * escapes, and jsonb's text has no line breaks), so the last one marks where the row past
 * the LIMIT starts. The answer shows each item on a line of its own.
 */
const ITEM_SEPARATOR = ",\n";
const ITEM_SEPARATOR_SQL = sql.raw(String.raw`E',\n'`);

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

/** A page: its items as JSON text, joined by ITEM_SEPARATOR (the inside of a JSON array), how many, and the cursor to the next page. */
export type LogsPage = { items: string; count: number; nextCursor: string | null };

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
 *
 * Every page is planned for its own values (force_custom_plan): its statement is prepared
 * (pageStatement), and a generic plan, which PostgreSQL may choose after five executions,
 * would keep every `$n IS NULL OR …` filter, prune no partition and fit no one's range.
 */
export function planLikeAPage(sqlClient: Sql, plan: LogsPlan): void {
  const sort = readsServiceIndexInOrder(plan) ? "off" : "on";
  // Its failure is the transaction's, which the page's statement behind it reports.
  sqlClient`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', ${sort}, true), set_config('plan_cache_mode', 'force_custom_plan', true)`.execute().catch(() => {});
}

/**
 * Queues the page's statements on `sqlClient` without awaiting any (readInOneTrip's
 * contract, db/scope.ts): the planner settings, then the page, which writes `entry` too
 * when given. `serviceIds` are the ids of plan.services (none of them unknown).
 */
export function sendLogsPage(sqlClient: Sql, plan: LogsPlan, serviceIds: number[] | undefined, entry?: EntryValues): Promise<LogsPage> {
  planLikeAPage(sqlClient, plan);
  const statement = pageStatement(plan, serviceIds, entry);
  return timed("logs_query", () => sqlClient.unsafe<[PageRow]>(statement.sql, statement.params as never[], { prepare: true }).execute()).then(([row]) => toPage(row, plan));
}

/** What a page of services none of which the caller can see returns. */
export const EMPTY_PAGE: LogsPage = Object.freeze({ items: "", count: 0, nextCursor: null });

function toPage(row: PageRow, plan: LogsPlan): LogsPage {
  const more = row.rows > plan.limit;
  // Without a next page every row is shown; with one, all but the last.
  const items = !row.items ? "" : more ? row.items.slice(0, row.items.lastIndexOf(ITEM_SEPARATOR)) : row.items;
  const snapshotId = plan.snapshotId ?? Number(row.snapshot ?? 0);
  const nextCursor =
    more && row.last_ts !== null && row.last_id !== null
      ? encodeCursor({
          f: plan.fingerprint,
          ts: row.last_ts,
          id: Number(row.last_id),
          s: snapshotId,
          ...(plan.from ? { from: plan.from.getTime() } : {}),
          ...(plan.to ? { to: plan.to.getTime() } : {}),
        })
      : null;
  return { items, count: Math.min(row.rows, plan.limit), nextCursor };
}

/** A page's one row (bigints come back as text); items, snapshot and the last position are NULL for a page of no rows. */
type PageRow = { items: string | null; rows: number; snapshot: string | null; last_ts: string | null; last_id: string | null };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
