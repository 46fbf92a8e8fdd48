import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { compactRollups } from "./compact.ts";

/** How often partial roll-up rows are merged (ROLLUP_COMPACTION_SECONDS). */
export const DEFAULT_COMPACTION_SECONDS = 30;

/** Compaction on a timer, in every API replica; replicas skip a run another one holds. */
export function startRollupCompactor(ownerSql: Sql, intervalMs: number) {
  return startPeriodic(
    intervalMs,
    async () => {
      const merged = await compactRollups(ownerSql);
      if (merged) log.debug({ merged }, "roll-up rows compacted");
    },
    (error) => log.warn({ err: error }, "roll-up compaction failed; retrying next interval"),
  );
}
