import { MAINTENANCE_LOCK_WAIT_MS } from "../../partitions/execute.ts";
import type { MaintenanceReport } from "../../partitions/maintain.ts";
import { addMonths, monthStart } from "../../partitions/months.ts";
import { setCondition } from "../machine/conditions.ts";
import type { PolicyObject, PolicyStatus } from "./resource.ts";

// The pure half of reconciling: when a policy is due, and what its status says after a
// run. The controller does the I/O around these.

/**
 * Due when the spec changed since the last run, or its scheduled time has come: the
 * status's nextRunTime (sooner than the interval after a failure), else the interval
 * after the last run.
 */
export function isDue(object: PolicyObject, intervalMs: number, now: Date): boolean {
  const status = object.status ?? {};
  if (status.observedGeneration !== object.metadata.generation) return true;
  if (!status.lastRunTime) return true;
  return now.getTime() >= scheduledAt(status, intervalMs);
}

/** When to look again: the next scheduled run. */
export function nextRunAt(object: PolicyObject, intervalMs: number, now: Date): Date {
  const status = object.status ?? {};
  return new Date(Math.max(now.getTime(), status.lastRunTime ? scheduledAt(status, intervalMs) : now.getTime()));
}

function scheduledAt(status: PolicyStatus, intervalMs: number): number {
  const byInterval = Date.parse(status.lastRunTime!) + intervalMs;
  return status.nextRunTime ? Math.min(Date.parse(status.nextRunTime), byInterval) : byInterval;
}

export function statusAfterRun(object: PolicyObject, report: MaintenanceReport, now: Date, intervalMs: number): PolicyStatus {
  const previous = object.status ?? {};
  const generation = object.metadata.generation;
  const base: PolicyStatus = { ...previous, observedGeneration: generation, lastRunTime: now.toISOString(), nextRunTime: new Date(now.getTime() + intervalMs).toISOString() };
  if (!report.ran) {
    // Another runner (npm start, or a controller on another cluster) holds the lock: not an
    // error, and the next run comes soon.
    return { ...base, conditions: setCondition(previous.conditions, { type: "Ready", status: previous.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown", observedGeneration: generation, reason: "Skipped", message: report.reason }, now) };
  }
  const failures = report.actions.filter((a) => a.result === "failed");
  const deferred = report.actions.filter((a) => a.result === "deferred");
  const done = report.actions.filter((a) => a.result === "done");
  const current = monthStart(now);
  const managed = report.partitions.filter((p) => p.managed && p.from);
  const ahead = managed.filter((p) => p.from! >= addMonths(current, 1)).length;
  const message = failures.length
    ? failures.map((f) => `${f.kind} ${f.partition}: ${f.detail}`).join("; ")
    : deferred.length
      ? `deferred to the next run: ${deferred.map((a) => `${a.kind} ${a.partition}`).join(", ")} (a lock was not granted within ${MAINTENANCE_LOCK_WAIT_MS} ms); ${ahead} month(s) ahead`
      : done.length
      ? `${done.map((a) => `${a.kind} ${a.partition}`).join(", ")}; ${ahead} month(s) ahead`
      : `nothing to do; ${ahead} month(s) ahead`;
  return {
    ...base,
    ...(failures.length ? {} : { lastSuccessTime: now.toISOString() }),
    conditions: setCondition(
      previous.conditions,
      { type: "Ready", status: failures.length ? "False" : "True", observedGeneration: generation, reason: failures.length ? "ActionFailed" : deferred.length ? "Deferred" : "Reconciled", message },
      now,
    ),
    partitions: report.partitions.map((p) => ({
      name: p.name,
      ...(p.from ? { from: p.from.toISOString() } : {}),
      ...(p.to ? { to: p.to.toISOString() } : {}),
      default: p.isDefault,
      managed: p.managed,
    })),
    monthsAhead: ahead,
    defaultRows: report.defaultRows,
    notes: report.notes,
  };
}

export function statusForInvalidSpec(object: PolicyObject, message: string, now: Date): PolicyStatus {
  const previous = object.status ?? {};
  return {
    ...previous,
    observedGeneration: object.metadata.generation,
    conditions: setCondition(previous.conditions, { type: "Ready", status: "False", observedGeneration: object.metadata.generation, reason: "InvalidSpec", message }, now),
  };
}

/**
 * The run itself failed (database unreachable, table missing): keep the last known
 * partitions, which say what was there, but not monthsAhead, which would claim a margin
 * nobody checked. (null: status is written as a merge patch, where null removes a field.)
 */
export function statusForFailedRun(object: PolicyObject, message: string, now: Date, intervalMs: number): PolicyStatus {
  const previous = object.status ?? {};
  return {
    ...previous,
    monthsAhead: null,
    observedGeneration: object.metadata.generation,
    lastRunTime: now.toISOString(),
    nextRunTime: new Date(now.getTime() + intervalMs).toISOString(),
    conditions: setCondition(previous.conditions, { type: "Ready", status: "False", observedGeneration: object.metadata.generation, reason: "RunFailed", message }, now),
  };
}

/**
 * Which policy owns a table when several of this controller's policies name it: the
 * oldest, then the first by name, so every replica and every run agrees. Undefined when
 * `object` owns it (or is alone); policies whose spec does not parse claim nothing.
 */
export function ownerOfTable(object: PolicyObject, table: string, siblings: readonly PolicyObject[], tableOf: (o: PolicyObject) => string | undefined): PolicyObject | undefined {
  const claimants = siblings.filter((o) => o.metadata.name !== object.metadata.name && tableOf(o) === table);
  const first = [object, ...claimants].sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))[0]!;
  return first === object ? undefined : first;
}

export const conflictMessage = (table: string, owner: string) => `table ${table} is already managed by PartitionPolicy ${owner}; this one does nothing until that one is deleted or names another table`;

/** Refused: another policy owns the table. It manages nothing, so it reports no partitions. */
export function statusForConflict(object: PolicyObject, table: string, owner: string, now: Date): PolicyStatus {
  const previous = object.status ?? {};
  const message = conflictMessage(table, owner);
  return {
    ...previous,
    observedGeneration: object.metadata.generation,
    partitions: null,
    monthsAhead: null,
    defaultRows: null,
    conditions: setCondition(previous.conditions, { type: "Ready", status: "False", observedGeneration: object.metadata.generation, reason: "TableConflict", message }, now),
  };
}
