import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import type { Sql } from "../db/client.ts";
import { countRows, readCatalog, readDefaultRowMonths } from "./catalog.ts";
import { executeAction, type ActionOutcome } from "./execute.ts";
import { isManaged, planPartitions, planRepairs, type ExistingPartition, type PartitionAction } from "./plan.ts";
import type { PartitionPolicy } from "./policy.ts";

export type ActionReport = PartitionAction & ({ result: ActionOutcome["result"]; rowsMoved: number; detail: string } | { result: "failed"; rowsMoved: 0; detail: string });

export type MaintenanceReport =
  | { ran: false; reason: string }
  | {
      ran: true;
      actions: ActionReport[];
      notes: string[];
      /** The partitions after the run, with whether Failsight manages each. */
      partitions: (ExistingPartition & { managed: boolean })[];
      defaultRows: number;
      failed: boolean;
    };

export type ActionListener = (report: ActionReport) => void;

/**
 * One maintenance run: take the table's advisory lock (a second runner, another replica
 * or `npm start`, finds it taken and skips), read the catalog, plan, apply each action.
 * A failed action is reported and the run goes on with the others, except that a month
 * whose rows could not be moved is not attached.
 */
export async function runPartitionMaintenance(sql: Sql, policy: PartitionPolicy, now: Date, onAction?: ActionListener): Promise<MaintenanceReport> {
  const conn = await sql.reserve();
  try {
    const [lock] = await conn`SELECT pg_try_advisory_lock(${ADVISORY_LOCKS.partitionMaintenance}, hashtext(${policy.table})) AS ok`;
    if (!lock?.ok) return { ran: false, reason: `another runner is maintaining ${policy.table}` };
    // Maintenance acts as Failsight itself: the foreign-key check that ATTACH runs on
    // log_rollups, and the repair's insert through the parent, see services through its
    // forced row-level security, and with no scope every service looks absent. The setting is the session's
    // (DDL runs outside asActor) and is cleared before the connection goes back to the pool.
    await conn`SELECT set_config('failsight.scope', 'system', false)`;
    // Moving a month's backlog may take longer than a request's statement timeout.
    await conn`SET statement_timeout = 0`;
    try {
      const actions: ActionReport[] = [];
      const apply = async (list: PartitionAction[]) => {
        const blocked = new Map<string, "failed" | "deferred">();
        for (const action of list) {
          let report: ActionReport;
          const earlier = blocked.get(action.partition);
          if (earlier) {
            report = { ...action, result: earlier, rowsMoved: 0, detail: `skipped: an earlier step for ${action.partition} ${earlier === "failed" ? "failed" : "waits for the next run"}` };
          } else {
            try {
              report = { ...action, ...(await executeAction(conn, policy.table, action)) };
            } catch (error) {
              blocked.set(action.partition, "failed");
              report = { ...action, result: "failed", rowsMoved: 0, detail: (error as Error).message };
            }
          }
          // A month whose attach or detach waits for the next run keeps its later steps waiting too.
          if (report.result === "deferred") blocked.set(action.partition, "deferred");
          actions.push(report);
          onAction?.(report);
        }
      };
      await apply(planRepairs(policy.table, (await readCatalog(conn, policy.table)).stranded));
      const catalog = await readCatalog(conn, policy.table);
      const defaultRowMonths = catalog.defaultPartition ? await readDefaultRowMonths(conn, catalog.defaultPartition) : [];
      const plan = planPartitions({ policy, partitions: catalog.partitions, defaultRowMonths, now });
      await apply(plan.actions);
      const after = await readCatalog(conn, policy.table);
      return {
        ran: true,
        actions,
        notes: plan.notes,
        partitions: after.partitions.map(({ detachPending: _, ...p }) => ({ ...p, managed: isManaged(policy.table, p) })),
        defaultRows: after.defaultPartition ? await countRows(conn, after.defaultPartition) : 0,
        failed: actions.some((a) => a.result === "failed"),
      };
    } finally {
      await conn`SELECT set_config('failsight.scope', '', false)`.catch(() => {});
      await conn`RESET statement_timeout`.catch(() => {});
      await conn`SELECT pg_advisory_unlock(${ADVISORY_LOCKS.partitionMaintenance}, hashtext(${policy.table}))`;
    }
  } finally {
    conn.release();
  }
}
