import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { MaintenanceReport } from "./maintain.ts";
import { addMonths, monthStart } from "./months.ts";

/**
 * Partition maintenance metrics, on whichever registry serves them: the controller's, or
 * the API's under `npm start`. `policy` is the PartitionPolicy (namespace/name), or
 * `local` for npm start.
 */
export function createPartitionMetrics(registry: Registry) {
  const registers = [registry];
  const m = {
    runs: new Counter({ name: "failsight_partition_runs_total", help: "Partition maintenance runs, by policy and result (success, failure, skipped: another runner held the lock).", labelNames: ["policy", "result"] as const, registers }),
    duration: new Histogram({ name: "failsight_partition_run_duration_seconds", help: "Time a partition maintenance run took.", labelNames: ["policy"] as const, buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers }),
    actions: new Counter({ name: "failsight_partition_actions_total", help: "Partition actions applied, by table, kind (repair, create, detach, drop) and result.", labelNames: ["table", "kind", "result"] as const, registers }),
    ahead: new Gauge({ name: "failsight_partition_months_ahead", help: "Months after the current one that already have a partition.", labelNames: ["table"] as const, registers }),
    oldest: new Gauge({ name: "failsight_partition_oldest_timestamp_seconds", help: "Lower bound of the oldest managed partition, as a Unix time.", labelNames: ["table"] as const, registers }),
    defaultRows: new Gauge({ name: "failsight_partition_default_rows", help: "Rows in the DEFAULT partition after the last run; they belong in no monthly partition.", labelNames: ["table"] as const, registers }),
    drained: new Counter({ name: "failsight_partition_rows_drained_total", help: "Rows moved out of the DEFAULT partition into their month's partition.", labelNames: ["table"] as const, registers }),
    lastSuccess: new Gauge({ name: "failsight_partition_last_success_timestamp_seconds", help: "When maintenance last completed without a failed action, as a Unix time.", labelNames: ["policy"] as const, registers }),
  };

  return {
    record(policy: string, table: string, report: MaintenanceReport, seconds: number, now: Date) {
      m.duration.observe({ policy }, seconds);
      if (!report.ran) {
        m.runs.inc({ policy, result: "skipped" });
        return;
      }
      m.runs.inc({ policy, result: report.failed ? "failure" : "success" });
      for (const a of report.actions) {
        m.actions.inc({ table, kind: a.kind, result: a.result });
        if (a.rowsMoved) m.drained.inc({ table }, a.rowsMoved);
      }
      const managed = report.partitions.filter((p) => p.managed && p.from);
      const nextMonth = addMonths(monthStart(now), 1);
      m.ahead.set({ table }, managed.filter((p) => p.from! >= nextMonth).length);
      const oldest = Math.min(...managed.map((p) => p.from!.getTime()));
      if (Number.isFinite(oldest)) m.oldest.set({ table }, oldest / 1000);
      m.defaultRows.set({ table }, report.defaultRows);
      if (!report.failed) m.lastSuccess.set({ policy }, now.getTime() / 1000);
    },
    failed(policy: string, seconds: number) {
      m.duration.observe({ policy }, seconds);
      m.runs.inc({ policy, result: "failure" });
    },
  };
}

export type PartitionMetrics = ReturnType<typeof createPartitionMetrics>;
