import type { Sql } from "../db/client.ts";
import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { asActor } from "../db/scoped.ts";
import { SYSTEM } from "../domain/actor.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { forgetInferred, inferDependencies } from "./dependencies-repository.ts";

/**
 * Each run looks this far behind its last one. Events are found by arrival (received_at,
 * their transaction's start), so a late timestamp does not matter; a batch whose
 * transaction began before a run and committed after it does, and this covers one that ran
 * up to a minute (a statement may take 30 s by default). An edge a slower one hid is
 * recorded the next time traces show it.
 */
const OVERLAP_MS = 60_000;
/** An inferred edge traces stop showing is forgotten after this many days. */
const FORGET_AFTER_DAYS = 7;

/**
 * Infers service dependencies from the traces in newly arrived events, every `intervalMs`,
 * in every API replica; a transaction lock lets one replica run at a time and the others
 * skip. The first run looks back an hour.
 */
export function startDependencyInference(ownerSql: Sql, intervalMs: number, clock: () => Date = () => new Date()) {
  let last = new Date(clock().getTime() - 3_600_000);
  return startPeriodic(
    intervalMs,
    async () => {
      const to = clock();
      const from = new Date(last.getTime() - OVERLAP_MS);
      const seen = await asActor(ownerSql, SYSTEM, async ({ sql }) => {
        const [lock] = await sql<{ taken: boolean }[]>`SELECT pg_try_advisory_xact_lock(${ADVISORY_LOCKS.dependencyInference}) AS taken`;
        if (!lock!.taken) return undefined;
        const edges = await inferDependencies(sql, from, to);
        await forgetInferred(sql, FORGET_AFTER_DAYS);
        return edges;
      });
      last = to;
      if (seen) log.debug({ edges: seen }, "dependencies seen in traces");
    },
    (error) => log.warn({ err: error }, "dependency inference failed; retrying next interval"),
  );
}
