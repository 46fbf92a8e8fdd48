import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { COUNT_COLUMNS, ROLLUP_COLUMNS } from "./rollup-sql.ts";

/**
 * Partial rows a statement takes, and so (with the rest of the last key's) what it merges:
 * bounds one transaction's work. Bounding keys instead let a backlog (ingest while no API
 * replica compacted) make every statement larger than the statement timeout, so
 * compaction never caught up: on a bench database with 537,865 partial rows of 1,000 keys,
 * each run's statement was cancelled at 30 s and rolled back. 10,000 of those rows (~60
 * histogram cells each) take ~0.4 s to merge (#15).
 */
export const COMPACTION_ROWS_PER_STATEMENT = 10_000;

const summed = COUNT_COLUMNS.map((c) => `sum(${c})::int AS ${c}`).join(", ");
const noCounts = COUNT_COLUMNS.map(() => "NULL::int").join(", ");
const eachOnce = COUNT_COLUMNS.map((c) => `max(${c})`).join(", ");

/**
 * Ingest appends a partial row per batch, service and bucket; reads sum them, so their
 * number is what a read pays. This merges every partial row of a key (and the key's
 * earlier merged row) into one, in one statement: the rows it deletes are exactly the rows
 * it sums, and a batch committing meanwhile only adds a partial row the next run merges.
 * Each key's counts are summed over its rows, its histograms' cells per bucket, and the
 * two meet as one row of each per key, grouped (a join of them was planned as a nested
 * loop over a CTE estimated at one row, re-running the histogram aggregate for every row:
 * 10 s for 1,000 keys). Each key's buckets are put in order from its own arrays: with an
 * ORDER BY inside the aggregate, PostgreSQL 15 cannot hash the grouping, and since it
 * expects one deleted row (row-level security) it sorted every cell, ~60 a row, carrying
 * the row's counts. Hashed, the merge is ~2.7× cheaper: 6,700 partial rows in 375-398 ms,
 * against 1,000-1,080 (#15).
 */
export const MERGE_SQL = `
  WITH keys AS (
    -- The keys of the first partial rows in the partial index's order: every row of each
    -- is merged, so the last key's rows past the limit come along.
    SELECT DISTINCT bucket_seconds, ts, service_id FROM (
      SELECT bucket_seconds, ts, service_id FROM log_rollups WHERE NOT compacted
      ORDER BY bucket_seconds, ts, service_id LIMIT ${COMPACTION_ROWS_PER_STATEMENT}
    ) taken
  ), gone AS (
    DELETE FROM log_rollups r USING keys k
    WHERE r.service_id = k.service_id AND r.bucket_seconds = k.bucket_seconds AND r.ts = k.ts
    RETURNING r.*
  ), sums AS (
    SELECT ts, bucket_seconds, service_id, ${summed}, sum(latency_sum) AS latency_sum,
           NULL::smallint[] AS latency_buckets, NULL::int[] AS latency_counts, max(last_ts) AS last_ts
    FROM gone GROUP BY ts, bucket_seconds, service_id
  ), cells AS (
    SELECT g.ts, g.bucket_seconds, g.service_id, u.b, sum(u.c)::int AS c
    FROM gone g, unnest(g.latency_buckets, g.latency_counts) AS u(b, c)
    GROUP BY g.ts, g.bucket_seconds, g.service_id, u.b
  ), histograms AS (
    -- Put in bucket order per key (an aggregate's ORDER BY would keep it from being hashed).
    SELECT ts, bucket_seconds, service_id, ${noCounts}, NULL::float8,
           (SELECT array_agg(b ORDER BY b) FROM unnest(bs) b), (SELECT array_agg(c ORDER BY b) FROM unnest(bs, cs) u(b, c)), NULL::timestamptz
    FROM (SELECT ts, bucket_seconds, service_id, array_agg(b) AS bs, array_agg(c) AS cs FROM cells GROUP BY ts, bucket_seconds, service_id) k
  ), merged AS (
    -- A key's one row of sums and at most one histogram: max() takes the one value there is.
    INSERT INTO log_rollups (${ROLLUP_COLUMNS.join(", ")}, compacted)
    SELECT ts, bucket_seconds, service_id, ${eachOnce}, max(latency_sum),
           coalesce(max(latency_buckets), '{}'), coalesce(max(latency_counts), '{}'), max(last_ts), true
    FROM (SELECT * FROM sums UNION ALL SELECT * FROM histograms) parts
    GROUP BY ts, bucket_seconds, service_id
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM merged)::int AS keys, (SELECT count(*) FILTER (WHERE NOT compacted) FROM gone)::int AS partial_rows`;

/**
 * Merges partial roll-up rows until none is left or `maxStatements` ran, as Failsight
 * itself (so `sql` must be the owner's pool: only the owner holds the system scope). Another replica compacting at the
 * same time makes this one return at once. Returns the keys merged and the partial rows they held.
 */
export async function compactRollups(sql: Sql, maxStatements = 20): Promise<{ keys: number; partialRows: number }> {
  const merged = { keys: 0, partialRows: 0 };
  for (let i = 0; i < maxStatements; i++) {
    const done = await asActor(sql, SYSTEM, async ({ sql: tx }) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCKS.rollupCompaction}) AS ok`;
      if (!lock!.ok) return undefined;
      return (await tx.unsafe<{ keys: number; partial_rows: number }[]>(MERGE_SQL))[0]!;
    });
    if (!done) break;
    merged.keys += done.keys;
    merged.partialRows += done.partial_rows;
    // Fewer than it may take: none were left when it began.
    if (done.partial_rows < COMPACTION_ROWS_PER_STATEMENT) break;
  }
  return merged;
}
