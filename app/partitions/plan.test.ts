import { describe, expect, it } from "vitest";
import { addMonths, monthOfName, partitionName } from "./months.ts";
import { isManaged, planPartitions, planRepairs, type ExistingPartition } from "./plan.ts";
import { PartitionPolicySpec } from "./policy.ts";

const policy = (p: Record<string, unknown> = {}) => PartitionPolicySpec.parse(p);
const utc = (y: number, m: number, d = 1) => new Date(Date.UTC(y, m - 1, d));
const ours = (y: number, m: number): ExistingPartition => ({ name: partitionName("log_events", utc(y, m)), from: utc(y, m), to: addMonths(utc(y, m), 1), isDefault: false });
const DEFAULT: ExistingPartition = { name: "log_events_default", from: null, to: null, isDefault: true };
const summary = (actions: { kind: string; partition: string }[]) => actions.map((a) => `${a.kind} ${a.partition}`);

describe("planPartitions", () => {
  it("on an empty table creates the current month and premakeMonths ahead", () => {
    const plan = planPartitions({ policy: policy(), partitions: [DEFAULT], defaultRowMonths: [], now: utc(2026, 11, 24) });
    expect(summary(plan.actions)).toEqual(["create log_events_p2026_11", "create log_events_p2026_12", "create log_events_p2027_01", "create log_events_p2027_02"]);
    expect(plan.notes).toEqual([]);
  });

  it("does nothing when everything is in place", () => {
    const partitions = [DEFAULT, ours(2026, 11), ours(2026, 12), ours(2027, 1), ours(2027, 2)];
    expect(planPartitions({ policy: policy(), partitions, defaultRowMonths: [], now: utc(2026, 11, 30) }).actions).toEqual([]);
  });

  it("crosses the year end and gets the bounds right", () => {
    const plan = planPartitions({ policy: policy({ premakeMonths: 2 }), partitions: [DEFAULT, ours(2026, 12)], defaultRowMonths: [], now: utc(2026, 12, 31) });
    expect(plan.actions).toEqual([
      { kind: "create", partition: "log_events_p2027_01", from: utc(2027, 1), to: utc(2027, 2) },
      { kind: "create", partition: "log_events_p2027_02", from: utc(2027, 2), to: utc(2027, 3) },
    ]);
  });

  it("gives February of a leap year its 29 days", () => {
    const plan = planPartitions({ policy: policy({ premakeMonths: 1 }), partitions: [DEFAULT, ours(2028, 1)], defaultRowMonths: [], now: utc(2028, 1, 31) });
    expect(plan.actions).toEqual([{ kind: "create", partition: "log_events_p2028_02", from: utc(2028, 2), to: utc(2028, 3) }]);
    expect((plan.actions[0]!.to.getTime() - plan.actions[0]!.from.getTime()) / 86_400_000).toBe(29);
  });

  it("fills a gap between existing partitions", () => {
    const partitions = [DEFAULT, ours(2026, 11), ours(2027, 1)];
    expect(summary(planPartitions({ policy: policy({ premakeMonths: 2 }), partitions, defaultRowMonths: [], now: utc(2026, 11, 2) }).actions)).toEqual(["create log_events_p2026_12"]);
  });

  it("after a long outage creates every month whose rows wait in DEFAULT, and the months ahead", () => {
    // Partitions stopped at June; it is now November and DEFAULT holds July to November.
    const partitions = [DEFAULT, ours(2026, 5), ours(2026, 6)];
    const plan = planPartitions({ policy: policy({ premakeMonths: 1 }), partitions, defaultRowMonths: [utc(2026, 7), utc(2026, 9), utc(2026, 11)], now: utc(2026, 11, 10) });
    expect(summary(plan.actions)).toEqual(["create log_events_p2026_07", "create log_events_p2026_09", "create log_events_p2026_11", "create log_events_p2026_12"]);
  });

  it("repairs each stranded month table of the table, and nothing that is not one", () => {
    const actions = planRepairs("log_events", ["log_events_p2024_11", "log_events_p2026_13", "other_p2026_01"]);
    expect(actions).toEqual([{ kind: "repair", partition: "log_events_p2024_11", from: utc(2024, 11), to: utc(2024, 12) }]);
  });

  it("leaves partitions it did not create alone, says so, and creates nothing over them", () => {
    const foreign: ExistingPartition = { name: "log_events_archive", from: utc(2026, 10, 15), to: utc(2026, 12, 15), isDefault: false };
    const oddBounds: ExistingPartition = { name: "log_events_p2025_01", from: utc(2025, 1, 2), to: utc(2025, 2), isDefault: false };
    const plan = planPartitions({ policy: policy({ premakeMonths: 2, retentionMonths: 3 }), partitions: [DEFAULT, foreign, oddBounds], defaultRowMonths: [], now: utc(2026, 11, 20) });
    expect(summary(plan.actions)).toEqual(["create log_events_p2027_01"]);
    expect(plan.notes).toEqual([
      expect.stringContaining("log_events_archive"),
      expect.stringContaining("log_events_p2025_01"),
      expect.stringMatching(/2026-11 is covered by log_events_archive/),
      expect.stringMatching(/2026-12 is covered by log_events_archive/),
    ]);
  });

  it("detaches months past retention, oldest first, and drops them too in drop mode", () => {
    const partitions = [DEFAULT, ours(2025, 9), ours(2025, 10), ours(2025, 11), ours(2026, 11), ours(2026, 12)];
    const base = { partitions, defaultRowMonths: [], now: utc(2026, 11, 24) };
    // 12 months of retention keep 2025-11 (it ends on the cutoff, 2025-11-01 + 1 month).
    expect(summary(planPartitions({ ...base, policy: policy({ premakeMonths: 1, retentionMonths: 12 }) }).actions)).toEqual(["detach log_events_p2025_09", "detach log_events_p2025_10"]);
    expect(summary(planPartitions({ ...base, policy: policy({ premakeMonths: 1, retentionMonths: 12, retentionMode: "drop" }) }).actions)).toEqual([
      "detach log_events_p2025_09",
      "drop log_events_p2025_09",
      "detach log_events_p2025_10",
      "drop log_events_p2025_10",
    ]);
    expect(planPartitions({ ...base, policy: policy({ premakeMonths: 1, retentionMonths: null }) }).actions).toEqual([]);
  });

  it("never retires a foreign partition, however old", () => {
    const ancient: ExistingPartition = { name: "legacy_2019", from: utc(2019, 1), to: utc(2019, 2), isDefault: false };
    const plan = planPartitions({ policy: policy({ premakeMonths: 1, retentionMonths: 1 }), partitions: [DEFAULT, ancient, ours(2026, 11), ours(2026, 12)], defaultRowMonths: [], now: utc(2026, 11, 1) });
    expect(plan.actions).toEqual([]);
  });

  it("leaves DEFAULT rows beyond the horizon or past retention where they are, with a note", () => {
    const plan = planPartitions({ policy: policy({ premakeMonths: 1, retentionMonths: 2 }), partitions: [DEFAULT, ours(2026, 11), ours(2026, 12)], defaultRowMonths: [utc(2030, 1), utc(2020, 5)], now: utc(2026, 11, 3) });
    expect(plan.actions).toEqual([]);
    expect(plan.notes).toEqual([expect.stringContaining("2030-01, beyond"), expect.stringContaining("2020-05, older")]);
  });

  it("warns when there is no DEFAULT partition", () => {
    expect(planPartitions({ policy: policy(), partitions: [ours(2026, 11)], defaultRowMonths: [], now: utc(2026, 11, 3) }).notes).toEqual([expect.stringContaining("no DEFAULT")]);
  });
});

describe("month names", () => {
  it("round-trip and refuse what is not a month", () => {
    expect(monthOfName("log_events", "log_events_p2027_01")).toEqual(utc(2027, 1));
    expect(monthOfName("log_events", "log_events_p2027_13")).toBeUndefined();
    expect(monthOfName("log_events", "other_p2027_01")).toBeUndefined();
  });
});

describe("isManaged", () => {
  it("is ours only when named for a month and bounded by exactly that month, at both ends", () => {
    const p = (from: Date, to: Date): ExistingPartition => ({ name: "log_events_p2025_01", from, to, isDefault: false });
    expect(isManaged("log_events", p(utc(2025, 1), utc(2025, 2)))).toBe(true);
    expect(isManaged("log_events", p(utc(2025, 1), utc(2025, 2, 15)))).toBe(false);
    expect(isManaged("log_events", p(utc(2025, 1, 2), utc(2025, 2)))).toBe(false);
    expect(isManaged("log_events", p(utc(2025, 2), utc(2025, 3)))).toBe(false);
    expect(isManaged("log_events", { name: "log_events_p2025_01", from: null, to: null, isDefault: true })).toBe(false);
  });
});
