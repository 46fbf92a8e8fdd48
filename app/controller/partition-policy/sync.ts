import type { Registry } from "prom-client";
import type { Sql } from "../../db/client.ts";
import { log } from "../../log.ts";
import { runPartitionMaintenance } from "../../partitions/maintain.ts";
import { createPartitionMetrics } from "../../partitions/metrics.ts";
import type { ControllerSpec } from "../machine/controller.ts";
import { keyOf } from "../machine/kube-object.ts";
import { conflictMessage, isDue, nextRunAt, ownerOfTable, statusAfterRun, statusForConflict, statusForFailedRun, statusForInvalidSpec } from "./reconcile.ts";
import { POLICY_KIND, parseSpec, type PolicyObject } from "./resource.ts";

/** After a failed run (say, the database is not migrated yet on a first install), try again within this rather than after the full interval. */
const RETRY_AFTER_FAILURE_MS = 60_000;

/** The event reason for each partition action, in the CamelCase Kubernetes uses. */
const ACTION_REASONS = {
  create: "PartitionCreated",
  repair: "StrandedRowsReturned",
  detach: "PartitionDetached",
  drop: "PartitionDropped",
} as const;
/**
 * The PartitionPolicy controller's syncHandler: when a policy is due (its spec changed or
 * its interval passed), run maintenance for its table, then write status and Events; else
 * look again when it will be due. The decisions are reconcile.ts's; this does the I/O.
 */
export function partitionPolicyController(sql: Sql, registry: Registry, now: () => Date): ControllerSpec<PolicyObject> {
  const metrics = createPartitionMetrics(registry);
  return {
    kind: POLICY_KIND,
    component: "failsight-partition-controller",
    async syncHandler(object, { record, updateStatus, siblings }) {
      const key = keyOf(object);
      const parsed = parseSpec(object.spec);
      const at = now();
      if (!parsed.ok) {
        if (object.status?.observedGeneration !== object.metadata.generation) {
          await record(object, "Warning", "InvalidSpec", parsed.message);
          await updateStatus(object, statusForInvalidSpec(object, parsed.message, at));
        }
        return {};
      }
      const { policy, intervalMs } = parsed.value;
      const owner = ownerOfTable(object, policy.table, siblings(), (o) => {
        const other = parseSpec(o.spec);
        return other.ok ? other.value.policy.table : undefined;
      });
      if (owner) {
        const refused = object.status?.conditions?.some((c) => c.type === "Ready" && c.reason === "TableConflict" && c.observedGeneration === object.metadata.generation);
        if (!refused) {
          await record(object, "Warning", "TableConflict", conflictMessage(policy.table, owner.metadata.name!));
          await updateStatus(object, statusForConflict(object, policy.table, owner.metadata.name!, at));
        }
        // Looked at again when the owner is deleted (the controller re-queues every policy then).
        return {};
      }
      if (!isDue(object, intervalMs, at)) return { requeueAfterMs: nextRunAt(object, intervalMs, at).getTime() - at.getTime() };
      const started = performance.now();
      let next = intervalMs;
      try {
        const report = await runPartitionMaintenance(sql, policy, at, (action) => {
          const reason = action.result === "failed" ? "ActionFailed" : action.result === "deferred" ? "ActionDeferred" : ACTION_REASONS[action.kind];
          void record(object, action.result === "failed" || action.result === "deferred" ? "Warning" : "Normal", reason, action.detail);
        });
        metrics.record(key, policy.table, report, (performance.now() - started) / 1000, at);
        if (report.ran) for (const note of report.notes) log.warn({ policy: key }, note);
        // A failed or deferred action is tried again soon, not an interval later.
        // Jittered, so that runs on a busy database do not meet the same long reads each time.
        if (report.ran && (report.failed || report.actions.some((a) => a.result === "deferred"))) next = Math.min(intervalMs, RETRY_AFTER_FAILURE_MS * (0.75 + Math.random() / 2));
        await updateStatus(object, statusAfterRun(object, report, at, next));
      } catch (error) {
        next = Math.min(intervalMs, RETRY_AFTER_FAILURE_MS);
        metrics.failed(key, (performance.now() - started) / 1000);
        const message = (error as Error).message;
        await record(object, "Warning", "ReconcileFailed", message);
        await updateStatus(object, statusForFailedRun(object, message, at, next));
      }
      return { requeueAfterMs: next };
    },
  };
}
