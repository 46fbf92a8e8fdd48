import type { Sql } from "../../app/db/client.ts";
import { compactRollups } from "../../app/rollups/compact.ts";

/**
 * Merges every partial roll-up row (`sql` in the system scope), waiting out a compaction
 * an API process has under way, which compactRollups would skip: a run timed up to this
 * has paid for all it appended.
 */
export async function mergeAllRollups(sql: Sql) {
  for (;;) {
    await compactRollups(sql);
    const [left] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM log_rollups WHERE NOT compacted`;
    if (!left!.n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
