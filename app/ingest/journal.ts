import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";

// The ingest journal (ingest_batches; db/schema.ts) is read only for its last minute, by
// live tails; older rows are dropped on a timer by Failsight's own connection.

/** Rows older than this are dropped: ten times the tail's look-back, for a slow clock or a long transaction. */
export const JOURNAL_KEEP_SECONDS = 600;

export async function forgetOldBatches(ownerSql: Sql, keepSeconds = JOURNAL_KEEP_SECONDS): Promise<number> {
  const rows = await ownerSql`DELETE FROM ingest_batches WHERE at < now() - make_interval(secs => ${keepSeconds}) RETURNING 1`;
  return rows.length;
}

export function startJournalCleanup(ownerSql: Sql, intervalMs = 60_000) {
  return startPeriodic(
    intervalMs,
    async () => {
      await forgetOldBatches(ownerSql);
    },
    (error) => log.warn({ err: error }, "could not drop old ingest journal rows; retrying next interval"),
  );
}
