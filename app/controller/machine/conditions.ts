import type { Condition } from "./kube-object.ts";

/** A condition that keeps its lastTransitionTime unless its status actually changes. */
export function setCondition(previous: Condition[] | undefined, next: Omit<Condition, "lastTransitionTime">, now: Date): Condition[] {
  const old = previous?.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : now.toISOString();
  return [...(previous ?? []).filter((c) => c.type !== next.type), { ...next, lastTransitionTime }];
}
