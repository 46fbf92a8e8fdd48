import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import type { TxSql } from "../db/scope.ts";
import { histogramText, LatencyHistogram } from "./histogram.ts";
import { COUNT_COLUMNS, ROLLUP_COLUMNS } from "./rollup-sql.ts";

/**
 * Partial rows a statement takes, and so (with the rest of the last key's) what it merges:
 * bounds one transaction's work. Bounding keys instead let a backlog (ingest while no API
 * replica compacted) make every statement larger than the statement timeout, so
 * compaction never caught up: on a bench database with 537,865 partial rows of 1,000 keys,
 * each run's statement was cancelled at 30 s and rolled back (#15).
 */
export const COMPACTION_ROWS_PER_STATEMENT = 10_000;

/**
 * Ingest appends a partial row per batch, service and bucket; reads sum them, so their
 * number is what a read pays. A compaction merges every partial row of a key (and the
 * key's earlier merged row) into one, in one transaction of two statements. This one
 * deletes them and hands back, per key, the sums of their counts and their histograms'
 * cells as two comma-joined lists: the rows it deletes are exactly the rows it sums, and a
 * batch committing meanwhile only adds a partial row the next run merges. The cells are
 * merged here, not in SQL: unnesting ~50 cells a row and grouping them by bucket was 45 of
 * the 55 ms PostgreSQL spent merging 2,000 partial rows, on the core ingest's INSERT does
 * not use. Merging 1,300 partial rows (13 batches of 5,000 live events) now costs it 22 ms
 * of CPU where it cost 47, and the event loop a millisecond or two; a whole statement's
 * worth (10,000 rows of 60 cells) ~24 ms (#15). mergeOnce writes the merged rows back.
 */
const TAKE_SQL = `
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
  )
  SELECT ts, bucket_seconds, service_id, array[${COUNT_COLUMNS.map((c) => `sum(${c})`).join(", ")}]::int[] AS sums,
         sum(latency_sum) AS latency_sum, max(last_ts) AS last_ts,
         count(*) FILTER (WHERE NOT compacted)::int AS partial_rows, ${histogramText("cell_")}
  FROM gone GROUP BY ts, bucket_seconds, service_id`;

const MERGED_COLUMNS = `${ROLLUP_COLUMNS.join(", ")}, compacted`;
const MERGED_COUNTS = COUNT_COLUMNS.map((_, i) => `r.counts[${i + 1}]`).join(", ");

type TakenKey = {
  ts: string;
  bucket_seconds: number;
  service_id: number;
  sums: number[];
  latency_sum: number | null;
  last_ts: string;
  partial_rows: number;
  cell_buckets: string | null;
  cell_counts: string | null;
};

/** An integer array's literal. */
const intList = (values: readonly number[]) => `{${values.join(",")}}`;

/** One compaction statement's worth, in the caller's transaction: the keys merged and the partial rows they held. */
async function mergeOnce(tx: TxSql): Promise<{ keys: number; partialRows: number }> {
  const taken = await tx.unsafe<TakenKey[]>(TAKE_SQL);
  if (taken.length === 0) return { keys: 0, partialRows: 0 };
  const latency = taken.map((key) => new LatencyHistogram().addLists(key.cell_buckets, key.cell_counts).cells());
  // The merged rows, one per key, as arrays of their columns (instants as the text they
  // came as: postgres.js cannot write a timestamptz[] from strings).
  await tx`
    INSERT INTO log_rollups (${tx.unsafe(MERGED_COLUMNS)})
    SELECT r.ts::timestamptz, r.bucket_seconds, r.service_id, ${tx.unsafe(MERGED_COUNTS)},
           r.latency_sum, r.latency_buckets::smallint[], r.latency_counts::int[], r.last_ts::timestamptz, true
    FROM (
      SELECT u.*, u.count_list::int[] AS counts
      FROM unnest(
        ${taken.map((k) => k.ts)}::text[], ${taken.map((k) => k.bucket_seconds)}::int[], ${taken.map((k) => k.service_id)}::int[],
        ${taken.map((k) => intList(k.sums))}::text[], ${taken.map((k) => k.latency_sum)}::float8[],
        ${latency.map((l) => intList(l.buckets))}::text[], ${latency.map((l) => intList(l.counts))}::text[], ${taken.map((k) => k.last_ts)}::text[]
      ) AS u(ts, bucket_seconds, service_id, count_list, latency_sum, latency_buckets, latency_counts, last_ts)
    ) r`;
  return { keys: taken.length, partialRows: taken.reduce((n, k) => n + k.partial_rows, 0) };
}

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
      return mergeOnce(tx);
    });
    if (!done) break;
    merged.keys += done.keys;
    merged.partialRows += done.partialRows;
    // Fewer than it may take: none were left when it began.
    if (done.partialRows < COMPACTION_ROWS_PER_STATEMENT) break;
  }
  return merged;
}
