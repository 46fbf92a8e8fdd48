import { addMonths, isMonthStart, monthLabel, monthOfName, monthStart, partitionName } from "./months.ts";
import type { PartitionPolicy } from "./policy.ts";

/** A partition as the catalog shows it; range bounds are null for DEFAULT or MINVALUE/MAXVALUE. */
export type ExistingPartition = { name: string; from: Date | null; to: Date | null; isDefault: boolean };

export type PartitionAction =
  | { kind: "repair"; partition: string; from: Date; to: Date }
  | { kind: "create"; partition: string; from: Date; to: Date }
  | { kind: "detach"; partition: string; from: Date; to: Date }
  | { kind: "drop"; partition: string; from: Date; to: Date };

export type PartitionPlan = {
  actions: PartitionAction[];
  /** Things a person should know that need no action: foreign partitions, stranded rows. */
  notes: string[];
};

export type PlanInput = {
  policy: PartitionPolicy;
  partitions: ExistingPartition[];
  /** First day of each month that has rows sitting in the DEFAULT partition. */
  defaultRowMonths: Date[];
  now: Date;
};

/**
 * Decides what maintenance to do, and nothing else: no I/O, so every case (year ends,
 * gaps, foreign partitions, a long outage) is tested directly. Creates come first, oldest
 * month first (each takes DEFAULT's rows of its month along); then retirements, oldest
 * first. Partitions it did not create are never touched.
 */
export function planPartitions({ policy, partitions, defaultRowMonths, now }: PlanInput): PartitionPlan {
  const notes: string[] = [];
  const current = monthStart(now);
  const horizon = addMonths(current, policy.premakeMonths); // last month to exist ahead
  const cutoff = policy.retentionMonths === null ? null : addMonths(current, -policy.retentionMonths);

  const ranged = partitions.filter((p) => !p.isDefault);
  const managed = ranged.filter((p) => isManaged(policy.table, p));
  for (const p of ranged.filter((p) => !isManaged(policy.table, p))) {
    notes.push(`partition ${p.name} (${describe(p)}) was not created by Failsight: left alone`);
  }
  if (!partitions.some((p) => p.isDefault)) {
    notes.push(`${policy.table} has no DEFAULT partition: events outside every partition would be refused`);
  }
  const covered = (from: Date, to: Date) => ranged.find((p) => overlaps(p, from, to));

  // Months to create: every month from now to the horizon, plus older months (within
  // retention) whose rows wait in DEFAULT, e.g. after the controller was down for a while.
  const months = new Map<number, Date>();
  for (let m = current; m <= horizon; m = addMonths(m, 1)) months.set(m.getTime(), m);
  for (const m of defaultRowMonths.map(monthStart)) {
    if (m > horizon) notes.push(`DEFAULT holds rows for ${monthLabel(m)}, beyond the ${policy.premakeMonths}-month horizon: they stay there until it is reached`);
    else if (cutoff && m < cutoff) notes.push(`DEFAULT holds rows for ${monthLabel(m)}, older than the ${policy.retentionMonths}-month retention: they stay there`);
    else months.set(m.getTime(), m);
  }

  const actions: PartitionAction[] = [];
  for (const month of [...months.values()].sort((a, b) => a.getTime() - b.getTime())) {
    const from = month;
    const to = addMonths(month, 1);
    const partition = partitionName(policy.table, month);
    const existing = covered(from, to);
    if (existing) {
      if (!managed.includes(existing)) notes.push(`${monthLabel(month)} is covered by ${existing.name}, which Failsight does not manage: not creating ${partition}`);
      continue;
    }
    actions.push({ kind: "create", partition, from, to });
  }

  if (cutoff) {
    const expired = managed.filter((p) => p.to! <= cutoff).sort((a, b) => a.from!.getTime() - b.from!.getTime());
    for (const p of expired) {
      actions.push({ kind: "detach", partition: p.name, from: p.from!, to: p.to! });
      if (policy.retentionMode === "drop") actions.push({ kind: "drop", partition: p.name, from: p.from!, to: p.to! });
    }
  }
  return { actions, notes };
}

/** Ours: named for a month and bounded by exactly that month. */
export function isManaged(table: string, p: ExistingPartition): boolean {
  const month = monthOfName(table, p.name);
  return (
    !p.isDefault &&
    month !== undefined &&
    p.from !== null &&
    p.to !== null &&
    isMonthStart(p.from) &&
    p.from.getTime() === month.getTime() &&
    p.to.getTime() === addMonths(month, 1).getTime()
  );
}

function overlaps(p: ExistingPartition, from: Date, to: Date): boolean {
  const pFrom = p.from?.getTime() ?? -Infinity;
  const pTo = p.to?.getTime() ?? Infinity;
  return pFrom < to.getTime() && from.getTime() < pTo;
}

function describe(p: ExistingPartition): string {
  return `${p.from?.toISOString() ?? "MINVALUE"} to ${p.to?.toISOString() ?? "MAXVALUE"}`;
}

/**
 * Stranded tables (a month's plain table, never attached, still carrying the bounds CHECK
 * that attaching drops) come first in a run: their rows go back through the parent.
 */
export function planRepairs(table: string, stranded: string[]): PartitionAction[] {
  return stranded.flatMap((name) => {
    const month = monthOfName(table, name);
    return month ? [{ kind: "repair" as const, partition: name, from: month, to: addMonths(month, 1) }] : [];
  });
}
