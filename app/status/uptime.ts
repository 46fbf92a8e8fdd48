import type { ServiceState } from "../domain/vocabulary.ts";

export type Transition = { at: Date; toState: ServiceState };

/** States whose time counts neither way: nothing was known, or the service was in a maintenance window. */
const UNCOUNTED: ReadonlySet<ServiceState> = new Set(["unknown", "maintenance"]);

/**
 * The share of known time in [from, to) that a service was not down. Time before the
 * first transition, or spent `unknown` or in `maintenance`, counts neither way; `impacted`
 * (a dependency down) is not the service's own downtime. Null when nothing is known.
 * `initial` is the state in force at `from` (the last transition before it). Pure.
 */
export function uptimeRatio(initial: ServiceState | null, transitions: Transition[], from: Date, to: Date): number | null {
  let state: ServiceState | null = initial;
  let cursor = from.getTime();
  let known = 0;
  let upTime = 0;
  const end = to.getTime();
  const account = (until: number) => {
    const span = Math.max(0, Math.min(until, end) - cursor);
    if (state && !UNCOUNTED.has(state)) {
      known += span;
      if (state !== "down") upTime += span;
    }
  };
  for (const t of [...transitions].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const at = t.at.getTime();
    if (at >= end) break;
    if (at > cursor) {
      account(at);
      cursor = at;
    }
    state = t.toState;
  }
  account(end);
  return known === 0 ? null : upTime / known;
}
