import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { compactRollups } from "./compact.ts";


/**
 * Partial rows this process appended that start a run at once. A read pays for every
 * partial row in its window: after a burst of 600,000 events (12,000 partial rows) a 5m
 * /status took 188 ms until the next timed run, 30 ms after it.
 */
export const COMPACT_AFTER_ROWS = 2_000;

/**
 * Compaction on a timer and whenever ingest in this process has appended COMPACT_AFTER_ROWS
 * partial rows, in every API replica; replicas skip a run another one holds.
 */
export function startRollupCompactor(ownerSql: Sql, intervalMs: number) {
  let unmerged = 0;
  const periodic = startPeriodic(
    intervalMs,
    async () => {
      unmerged = 0;
      const merged = await compactRollups(ownerSql);
      if (merged.keys) log.debug(merged, "roll-up rows compacted");
    },
    (error) => log.warn({ err: error }, "roll-up compaction failed; retrying next interval"),
  );
  return {
    stop: periodic.stop,
    /** Ingest appended `rows` partial rows (IntakeDeps.rollupRows). */
    written(rows: number) {
      unmerged += rows;
      if (unmerged >= COMPACT_AFTER_ROWS) periodic.runNow();
    },
  };
}
