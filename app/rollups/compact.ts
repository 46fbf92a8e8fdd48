import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import type { Sql } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { COUNT_COLUMNS, ROLLUP_COLUMNS } from "./rollup-sql.ts";

/** Keys (service, granularity, bucket) merged per statement: bounds one transaction's work. */
export const COMPACTION_KEYS_PER_STATEMENT = 5_000;

const summed = COUNT_COLUMNS.map((c) => `sum(g.${c})::int`).join(", ");

/**
 * Ingest appends a partial row per batch, service and bucket; reads sum them, so their
 * number is what a read pays. This merges every partial row of a key (and the key's
 * earlier merged row) into one, in one statement: the rows it deletes are exactly the rows
 * it sums, and a batch committing meanwhile only adds a partial row the next run merges.
 */
const MERGE = `
  WITH keys AS (
    SELECT DISTINCT bucket_seconds, ts, service_id FROM log_rollups WHERE NOT compacted LIMIT ${COMPACTION_KEYS_PER_STATEMENT}
  ), gone AS (
    DELETE FROM log_rollups r USING keys k
    WHERE r.service_id = k.service_id AND r.bucket_seconds = k.bucket_seconds AND r.ts = k.ts
    RETURNING r.*
  ), hist AS (
    SELECT ts, bucket_seconds, service_id, array_agg(b ORDER BY b) AS buckets, array_agg(c ORDER BY b) AS counts FROM (
      SELECT g.ts, g.bucket_seconds, g.service_id, u.b, sum(u.c)::int AS c
      FROM gone g, unnest(g.latency_buckets, g.latency_counts) AS u(b, c) GROUP BY 1, 2, 3, 4
    ) per_bucket GROUP BY 1, 2, 3
  )
  INSERT INTO log_rollups (${ROLLUP_COLUMNS.join(", ")}, compacted)
  SELECT g.ts, g.bucket_seconds, g.service_id, ${summed}, sum(g.latency_sum),
         coalesce(h.buckets, '{}'), coalesce(h.counts, '{}'), max(g.last_ts), true
  FROM gone g LEFT JOIN hist h USING (ts, bucket_seconds, service_id)
  GROUP BY g.ts, g.bucket_seconds, g.service_id, h.buckets, h.counts`;

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
      return (await tx.unsafe(MERGE)).count;
    });
    if (keys < 0) break;
    merged += keys;
    if (keys < COMPACTION_KEYS_PER_STATEMENT) break;
  }
  return merged;
}
