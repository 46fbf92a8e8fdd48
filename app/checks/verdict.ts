import type { ServiceState } from "../domain/vocabulary.ts";

/**
 * What one probe of a service says about it right now (a check's last confirmed result, a
 * heartbeat's pings): status/evaluate.ts weighs these with what the service's events say.
 */
export type Verdict = { state: Exclude<ServiceState, "unknown" | "impacted" | "maintenance">; reason: string; source: "check" | "heartbeat" };

/** Seconds, rounded, for reasons a person reads. */
export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}
