import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { runPartitionMaintenance, type MaintenanceReport } from "./maintain.ts";
import type { PartitionMetrics } from "./metrics.ts";
import type { PartitionPolicy } from "./policy.ts";

/**
 * Partition maintenance on a timer, for `npm start` where there is no controller: once at
 * start, then every interval. Shares the advisory lock with the controller, so running
 * both against one database is safe.
 */
export function startPartitionScheduler(sql: Sql, policy: PartitionPolicy, intervalMs: number, metrics?: PartitionMetrics) {
  return startPeriodic(
    intervalMs,
    async () => {
      const started = performance.now();
      const now = new Date();
      try {
        const report = await runPartitionMaintenance(sql, policy, now, (a) =>
          log[a.result === "failed" ? "error" : a.result === "deferred" ? "warn" : "info"]({ action: a.kind, partition: a.partition, result: a.result, rowsMoved: a.rowsMoved }, a.detail),
        );
        if (report.ran) for (const note of report.notes) log.warn(note);
        else log.info(report.reason);
        metrics?.record("local", policy.table, report, (performance.now() - started) / 1000, now);
      } catch (error) {
        metrics?.failed("local", (performance.now() - started) / 1000);
        throw error;
      }
    },
    (error) => log.error({ err: error }, "partition maintenance failed; retrying next interval"),
  );
}
