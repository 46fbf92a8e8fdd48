import type { CheckOutcome } from "../domain/vocabulary.ts";
import { secondsBetween, type Verdict } from "./verdict.ts";

export type CheckState = {
  name: string;
  intervalSeconds: number;
  timeoutMs: number;
  lastRunAt: Date | null;
  lastOutcome: CheckOutcome | null;
  lastMessage: string | null;
};

/** A result older than this many intervals (and two timeouts and a minute) says nothing: no runner has probed lately. */
const STALE_AFTER_INTERVALS = 3;

/**
 * A check's verdict from its last confirmed result: a failure is down, a warning (a
 * certificate near expiry) degraded, a pass up. None before the first result, or when the
 * last one is stale (every runner stopped): an old pass must not keep a service up. Pure.
 */
export function checkVerdict(c: CheckState, now: Date): Verdict | undefined {
  if (!c.lastRunAt || !c.lastOutcome) return undefined;
  const staleAfterMs = STALE_AFTER_INTERVALS * c.intervalSeconds * 1000 + 2 * c.timeoutMs + 60_000;
  if (now.getTime() - c.lastRunAt.getTime() > staleAfterMs) return undefined;
  const said = `check ${c.name}: ${c.lastMessage ?? c.lastOutcome}`;
  const when = ` (${secondsBetween(c.lastRunAt, now)}s ago)`;
  if (c.lastOutcome === "fail") return { state: "down", reason: said + when, source: "check" };
  if (c.lastOutcome === "warn") return { state: "degraded", reason: said + when, source: "check" };
  return { state: "up", reason: said, source: "check" };
}
