import type { CheckOutcome } from "../../domain/vocabulary.ts";
import { setCondition } from "../machine/conditions.ts";
import type { UptimeCheckObject, UptimeCheckStatus } from "./resource.ts";

/** A check's last confirmed result as Failsight's checks row holds it. */
export type LastResult = { at: Date; outcome: CheckOutcome; latencyMs: number | null; errorCode: string | null; message: string | null };

const AVAILABLE: Record<CheckOutcome, { status: "True" | "False"; reason: string }> = {
  pass: { status: "True", reason: "Passing" },
  warn: { status: "True", reason: "Warning" },
  fail: { status: "False", reason: "Failing" },
};

/** The Event a change of outcome is worth, if any: a first result is one too. */
export function eventForOutcome(previous: CheckOutcome | undefined, next: CheckOutcome): { type: "Normal" | "Warning"; reason: string } | undefined {
  if (previous === next) return undefined;
  if (next === "fail") return { type: "Warning", reason: "CheckFailing" };
  if (next === "warn") return { type: "Warning", reason: "CheckWarning" };
  return { type: "Normal", reason: previous === undefined ? "CheckPassing" : "CheckRecovered" };
}

/** Status for an object whose check is in place: Ready, and Available by its last result (Unknown before the first). Pure. */
export function statusForCheck(object: UptimeCheckObject, checkName: string, last: LastResult | undefined, now: Date): UptimeCheckStatus {
  const previous = object.status ?? {};
  const generation = object.metadata.generation;
  let conditions = setCondition(previous.conditions, { type: "Ready", status: "True", observedGeneration: generation, reason: "Reconciled", message: `probed as check ${checkName}` }, now);
  conditions = setCondition(
    conditions,
    last
      ? { type: "Available", status: AVAILABLE[last.outcome].status, observedGeneration: generation, reason: AVAILABLE[last.outcome].reason, message: last.message ?? last.outcome }
      : { type: "Available", status: "Unknown", observedGeneration: generation, reason: "Pending", message: "not probed yet" },
    now,
  );
  return {
    observedGeneration: generation,
    checkName,
    conditions,
    lastResult: last ? { time: last.at.toISOString(), outcome: last.outcome, latencyMs: last.latencyMs === null ? null : Math.round(last.latencyMs * 10) / 10, errorCode: last.errorCode, message: last.message } : null,
  };
}

/** Status for a spec the controller cannot act on (or a Secret it cannot read): not Ready, saying why. Pure. */
export function statusForProblem(object: UptimeCheckObject, reason: string, message: string, now: Date): UptimeCheckStatus {
  const previous = object.status ?? {};
  return {
    ...previous,
    observedGeneration: object.metadata.generation,
    conditions: setCondition(previous.conditions, { type: "Ready", status: "False", observedGeneration: object.metadata.generation, reason, message }, now),
  };
}
