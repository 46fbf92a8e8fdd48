import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { COUNT_COLUMNS, ROLLUP_COLUMNS } from "./rollup-sql.ts";

/** Keys (service, granularity, bucket) merged per statement: bounds one transaction's work. */
export const COMPACTION_KEYS_PER_STATEMENT = 5_000;

const summedPerCell = [...COUNT_COLUMNS, "latency_sum"].map((c) => `sum(g.${c}) FILTER (WHERE u.n IS NULL OR u.n = 1) AS ${c}`).join(", ");
const summedPerKey = COUNT_COLUMNS.map((c) => `sum(${c})::int`).join(", ");

/**
 * Ingest appends a partial row per batch, service and bucket; reads sum them, so their
 * number is what a read pays. This merges every partial row of a key (and the key's
 * earlier merged row) into one, in one statement: the rows it deletes are exactly the rows
 * it sums, and a batch committing meanwhile only adds a partial row the next run merges.
 * One pass, no join: each deleted row's histogram is unnested, its counts ride on its first
 * bucket (or on its one row when it has none), and cells are summed per bucket, then per key.
 * (A join of per-key sums with per-key histograms was planned as a nested loop over a CTE
 * estimated at one row and re-ran the histogram aggregate for every row: 10 s for 1,000.)
 */
const MERGE_SQL = `
  WITH keys AS (
    SELECT DISTINCT bucket_seconds, ts, service_id FROM log_rollups WHERE NOT compacted LIMIT ${COMPACTION_KEYS_PER_STATEMENT}
  ), gone AS (
    DELETE FROM log_rollups r USING keys k
    WHERE r.service_id = k.service_id AND r.bucket_seconds = k.bucket_seconds AND r.ts = k.ts
    RETURNING r.*
  ), cells AS (
    SELECT g.ts, g.bucket_seconds, g.service_id, u.b, sum(u.c) AS c, ${summedPerCell}, max(g.last_ts) AS last_ts
    FROM gone g LEFT JOIN LATERAL unnest(g.latency_buckets, g.latency_counts) WITH ORDINALITY AS u(b, c, n) ON true
    GROUP BY g.ts, g.bucket_seconds, g.service_id, u.b
  )
  INSERT INTO log_rollups (${ROLLUP_COLUMNS.join(", ")}, compacted)
  SELECT ts, bucket_seconds, service_id, ${summedPerKey}, sum(latency_sum),
         coalesce(array_agg(b ORDER BY b) FILTER (WHERE b IS NOT NULL), '{}'),
         coalesce(array_agg(c::int ORDER BY b) FILTER (WHERE b IS NOT NULL), '{}'),
         max(last_ts), true
  FROM cells GROUP BY ts, bucket_seconds, service_id`;

/**
 * Merges partial roll-up rows until none is left or `maxStatements` ran, as Failsight
 * itself (so `sql` must be the owner's pool: only the owner holds the system scope). Another replica compacting at the
 * same time makes this one return at once. Returns the keys merged.
 */
export async function compactRollups(sql: Sql, maxStatements = 20): Promise<number> {
  let merged = 0;
  for (let i = 0; i < maxStatements; i++) {
    const keys = await asActor(sql, SYSTEM, async ({ sql: tx }) => {
      const [lock] = await tx<{ ok: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCKS.rollupCompaction}) AS ok`;
      if (!lock!.ok) return -1;
      return (await tx.unsafe(MERGE_SQL)).count;
    });
    if (keys < 0) break;
    merged += keys;
    if (keys < COMPACTION_KEYS_PER_STATEMENT) break;
  }
  return merged;
}
