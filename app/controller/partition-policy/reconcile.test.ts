import { describe, expect, it } from "vitest";
import type { MaintenanceReport } from "../../partitions/maintain.ts";
import { isDue, nextRunAt, ownerOfTable, statusAfterRun, statusForConflict, statusForFailedRun, statusForInvalidSpec } from "./reconcile.ts";
import { setCondition } from "../machine/conditions.ts";
import { parseSpec, type PolicyObject } from "./resource.ts";

const now = new Date("2026-11-24T12:00:00Z");
const hour = 3_600_000;
const object = (generation: number, status?: PolicyObject["status"]): PolicyObject => ({ metadata: { name: "p", namespace: "n", generation }, ...(status ? { status } : {}) });
const utc = (iso: string) => new Date(iso);

describe("isDue", () => {
  it("is due when never run, when the spec changed, and when the interval has passed", () => {
    expect(isDue(object(1), hour, now)).toBe(true);
    expect(isDue(object(2, { observedGeneration: 1, lastRunTime: "2026-11-24T11:59:00Z" }), hour, now)).toBe(true);
    expect(isDue(object(1, { observedGeneration: 1, lastRunTime: "2026-11-24T11:00:00Z" }), hour, now)).toBe(true);
    expect(isDue(object(1, { observedGeneration: 1, lastRunTime: "2026-11-24T11:30:00Z" }), hour, now)).toBe(false);
    expect(nextRunAt(object(1, { observedGeneration: 1, lastRunTime: "2026-11-24T11:30:00Z" }), hour, now).toISOString()).toBe("2026-11-24T12:30:00.000Z");
  });
  it("follows a sooner nextRunTime, as set after a failed run", () => {
    const failed = object(1, { observedGeneration: 1, lastRunTime: "2026-11-24T11:58:00Z", nextRunTime: "2026-11-24T11:59:00Z" });
    expect(isDue(failed, hour, now)).toBe(true);
    expect(isDue(failed, hour, new Date("2026-11-24T11:58:30Z"))).toBe(false);
    expect(nextRunAt(failed, hour, new Date("2026-11-24T11:58:30Z")).toISOString()).toBe("2026-11-24T11:59:00.000Z");
  });
});

describe("setCondition", () => {
  it("keeps lastTransitionTime while the status stays, and moves it when the status flips", () => {
    const first = setCondition(undefined, { type: "Ready", status: "True", reason: "Reconciled", message: "a" }, utc("2026-11-24T10:00:00Z"));
    const same = setCondition(first, { type: "Ready", status: "True", reason: "Reconciled", message: "b" }, utc("2026-11-24T11:00:00Z"));
    expect(same[0]).toMatchObject({ lastTransitionTime: "2026-11-24T10:00:00.000Z", message: "b" });
    const flipped = setCondition(same, { type: "Ready", status: "False", reason: "ActionFailed", message: "c" }, utc("2026-11-24T12:00:00Z"));
    expect(flipped).toHaveLength(1);
    expect(flipped[0]!.lastTransitionTime).toBe("2026-11-24T12:00:00.000Z");
  });
});

describe("statusAfterRun", () => {
  const partitions = [
    { name: "t_default", from: null, to: null, isDefault: true, managed: false },
    { name: "t_p2026_11", from: utc("2026-11-01T00:00:00Z"), to: utc("2026-12-01T00:00:00Z"), isDefault: false, managed: true },
    { name: "t_p2026_12", from: utc("2026-12-01T00:00:00Z"), to: utc("2027-01-01T00:00:00Z"), isDefault: false, managed: true },
    { name: "t_p2027_01", from: utc("2027-01-01T00:00:00Z"), to: utc("2027-02-01T00:00:00Z"), isDefault: false, managed: true },
  ];
  it("is Ready with the partitions, months ahead and the next run after a clean run", () => {
    const report: MaintenanceReport = { ran: true, actions: [{ kind: "create", partition: "t_p2027_01", from: partitions[3]!.from!, to: partitions[3]!.to!, result: "done", rowsMoved: 0, detail: "" }], notes: [], partitions, defaultRows: 0, failed: false };
    const status = statusAfterRun(object(3), report, now, hour);
    expect(status).toMatchObject({ observedGeneration: 3, monthsAhead: 2, defaultRows: 0, lastRunTime: now.toISOString(), lastSuccessTime: now.toISOString(), nextRunTime: "2026-11-24T13:00:00.000Z" });
    expect(status.conditions![0]).toMatchObject({ type: "Ready", status: "True", reason: "Reconciled", message: "create t_p2027_01; 2 month(s) ahead" });
    expect(status.partitions![0]).toEqual({ name: "t_default", default: true, managed: false });
  });
  it("is not Ready, names the failure and keeps the last success time when an action failed", () => {
    const report: MaintenanceReport = { ran: true, actions: [{ kind: "detach", partition: "t_p2025_01", from: now, to: now, result: "failed", rowsMoved: 0, detail: "lock timeout" }], notes: [], partitions, defaultRows: 5, failed: true };
    const status = statusAfterRun(object(1, { lastSuccessTime: "2026-11-23T00:00:00Z" }), report, now, hour);
    expect(status.lastSuccessTime).toBe("2026-11-23T00:00:00Z");
    expect(status.conditions![0]).toMatchObject({ status: "False", reason: "ActionFailed", message: "detach t_p2025_01: lock timeout" });
  });
  it("stays Ready, with reason Deferred and what waits, when a retirement's lock was not granted", () => {
    const report: MaintenanceReport = { ran: true, actions: [{ kind: "detach", partition: "t_p2025_01", from: now, to: now, result: "deferred", rowsMoved: 0, detail: "not granted" }], notes: [], partitions, defaultRows: 0, failed: false };
    const status = statusAfterRun(object(1), report, now, hour);
    expect(status.conditions![0]).toMatchObject({ status: "True", reason: "Deferred", message: "deferred to the next run: detach t_p2025_01 (a lock was not granted within 50 ms); 2 month(s) ahead" });
  });
  it("records a skipped run without changing readiness", () => {
    const previous = setCondition(undefined, { type: "Ready", status: "True", reason: "Reconciled", message: "" }, now);
    const status = statusAfterRun(object(1, { conditions: previous }), { ran: false, reason: "another runner is maintaining t" }, now, hour);
    expect(status.conditions![0]).toMatchObject({ status: "True", reason: "Skipped" });
  });
});

describe("parseSpec", () => {
  it("applies defaults and reads the interval", () => {
    expect(parseSpec({})).toMatchObject({ ok: true, value: { policy: { table: "log_events", premakeMonths: 3, retentionMonths: 12, retentionMode: "detach" }, intervalMs: hour } });
    expect(parseSpec({ interval: "30m", retentionMonths: null })).toMatchObject({ ok: true, value: { intervalMs: 1_800_000, policy: { retentionMonths: null } } });
  });
  it("names every bad field", () => {
    const result = parseSpec({ premakeMonths: 0, interval: "5s", extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const field of ["spec.premakeMonths", "spec.interval", "extra"]) expect(result.message).toContain(field);
    expect(statusForInvalidSpec(object(4), "bad", now).conditions![0]).toMatchObject({ status: "False", reason: "InvalidSpec", observedGeneration: 4 });
  });
});

describe("statusForFailedRun", () => {
  it("keeps the last known partitions but drops monthsAhead, which nobody checked", () => {
    const previous = statusAfterRun(object(1), { ran: true, actions: [], notes: [], partitions: [], defaultRows: 0, failed: false }, now, hour);
    const failed = statusForFailedRun(object(1, { ...previous, monthsAhead: 3, partitions: [{ name: "t_default", default: true, managed: false }] }), "connection refused", now, 60_000);
    expect(failed.monthsAhead).toBeNull(); // null: a merge patch removes the field
    expect(failed.partitions).toEqual([{ name: "t_default", default: true, managed: false }]);
    expect(failed.conditions![0]).toMatchObject({ status: "False", reason: "RunFailed", message: "connection refused" });
  });
});

describe("ownerOfTable", () => {
  const policy = (name: string, created: string, table: string): PolicyObject => ({ metadata: { name, namespace: "n", creationTimestamp: created }, spec: { table } });
  const tableOf = (o: PolicyObject) => (o.spec as { table: string }).table;
  const older = policy("zeta", "2026-11-01T00:00:00Z", "log_events");
  const newer = policy("alpha", "2026-11-02T00:00:00Z", "log_events");
  const sameTime = policy("beta", "2026-11-02T00:00:00Z", "log_events");
  const elsewhere = policy("aaa", "2026-10-01T00:00:00Z", "log_rollups");
  const all = [older, newer, sameTime, elsewhere];

  it("gives the table to the oldest policy, then to the first by name, whatever order they are seen in", () => {
    expect(ownerOfTable(older, "log_events", all, tableOf)).toBeUndefined();
    expect(ownerOfTable(newer, "log_events", all, tableOf)).toBe(older);
    expect(ownerOfTable(newer, "log_events", [...all].reverse(), tableOf)).toBe(older);
    expect(ownerOfTable(sameTime, "log_events", [newer, sameTime], tableOf)).toBe(newer);
    expect(ownerOfTable(newer, "log_events", [newer, sameTime], tableOf)).toBeUndefined();
  });
  it("lets a policy for another table, or one alone, own its table", () => {
    expect(ownerOfTable(elsewhere, "log_rollups", all, tableOf)).toBeUndefined();
    expect(ownerOfTable(newer, "log_events", [newer], tableOf)).toBeUndefined();
    expect(ownerOfTable(newer, "log_events", [newer, policy("x", "2026-01-01T00:00:00Z", "other")], tableOf)).toBeUndefined();
  });
  it("refuses the others with a TableConflict that names the owner and reports no partitions", () => {
    const status = statusForConflict({ ...newer, metadata: { ...newer.metadata, generation: 2 }, status: { monthsAhead: 3 } }, "log_events", "zeta", now);
    expect(status).toMatchObject({ observedGeneration: 2, monthsAhead: null, partitions: null, defaultRows: null });
    expect(status.conditions![0]).toMatchObject({ type: "Ready", status: "False", reason: "TableConflict", observedGeneration: 2, message: expect.stringContaining("table log_events is already managed by PartitionPolicy zeta") });
  });
});
