import { IS_ERROR_SQL } from "../domain/error-event.ts";
import { SEVERITIES } from "../domain/vocabulary.ts";

/** The roll-up table, partitioned by month like log_events and maintained by its own policy. */
export const ROLLUP_TABLE = "log_rollups";

/** The HTTP status classes a roll-up counts, as column suffixes: status_1xx … status_5xx. */
export const STATUS_CLASSES = [1, 2, 3, 4, 5] as const;

/** The granularities kept, as `bucket_seconds` and the date_trunc unit that makes them. */
export const ROLLUP_BUCKETS = { minute: 60, hour: 3600 } as const;

const levelColumns = SEVERITIES.map((level) => `level_${level}`);
const statusColumns = STATUS_CLASSES.map((c) => `status_${c}xx`);

/** Every counted column of log_rollups, in the order rollupSql selects them. */
export const COUNT_COLUMNS = ["events", "errors", ...levelColumns, ...statusColumns, "latency_count"] as const;

/** The columns rollupSql fills, for an INSERT INTO log_rollups (...) list. */
export const ROLLUP_COLUMNS = ["ts", "bucket_seconds", "service_id", ...COUNT_COLUMNS, "latency_sum", "latency_buckets", "latency_counts", "last_ts"];

/**
 * One roll-up row per (bucket, service) of each granularity, from `source`: any relation
 * with the columns ts, service_id, level, http_status and latency_ms (log_events itself,
 * or a part of it). Latencies are counted per histogram bucket first, then folded into the
 * sparse arrays. This is what a roll-up row is: the SELECT that migrations/0011 ran once
 * over the events already stored is this one as it was then, the bench builds its
 * fixture's roll-ups with it, and ingest, which rolls each batch up before it reaches the
 * database (ingest/batch-rollups.ts), is held to it by rollups.test.ts.
 */
export function rollupSql(source: string): string {
  const perLevel = SEVERITIES.map((level, i) => `count(*) FILTER (WHERE x.level = '${level}') AS ${levelColumns[i]}`);
  const perStatus = STATUS_CLASSES.map((c, i) => `count(*) FILTER (WHERE x.http_status / 100 = ${c}) AS ${statusColumns[i]}`);
  const units = Object.entries(ROLLUP_BUCKETS).map(([unit, seconds]) => `(${seconds}, '${unit}')`);
  const summed = [...levelColumns, ...statusColumns].map((c) => `sum(${c})::int`);
  return `
    SELECT ts, bucket_seconds, service_id, sum(n)::int, sum(errors)::int, ${summed.join(", ")},
           coalesce(sum(n) FILTER (WHERE lb IS NOT NULL), 0)::int, coalesce(sum(latency_sum), 0),
           coalesce(array_agg(lb ORDER BY lb) FILTER (WHERE lb IS NOT NULL), '{}'),
           coalesce(array_agg(n::int ORDER BY lb) FILTER (WHERE lb IS NOT NULL), '{}'),
           max(last_ts)
    FROM (
      SELECT date_trunc(g.unit, x.ts, 'UTC') AS ts, g.seconds AS bucket_seconds, x.service_id,
             failsight_latency_bucket(x.latency_ms) AS lb, count(*) AS n,
             count(*) FILTER (WHERE ${IS_ERROR_SQL.replace(/http_status|level/g, (c) => `x.${c}`)}) AS errors,
             ${[...perLevel, ...perStatus].join(", ")},
             sum(x.latency_ms) AS latency_sum, max(x.ts) AS last_ts
      FROM ${source} x CROSS JOIN (VALUES ${units.join(", ")}) AS g(seconds, unit)
      GROUP BY 1, 2, 3, 4
    ) per_bucket
    GROUP BY ts, bucket_seconds, service_id`;
}
