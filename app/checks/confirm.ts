import { setTimeout as sleep } from "node:timers/promises";
import type { ProbeResult } from "./probes/probe-result.ts";

/** The longest a retry waits after a failed first attempt. */
export const MAX_RETRY_DELAY_MS = 2_000;

/** Confirms a failure with a second attempt this long after the first: a quarter of the interval, at most MAX_RETRY_DELAY_MS. */
export function retryDelayMs(intervalSeconds: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, intervalSeconds * 250);
}

/**
 * A result worth recording: a pass or a warning as it is, a failure only once a second
 * attempt fails too (then the second is the result), so one dropped packet flips nothing.
 * `firstAttempt` is the failure a passing retry overruled, or the first of two failures.
 */
export async function confirmed(attempt: () => Promise<ProbeResult>, delayMs: number): Promise<{ result: ProbeResult; firstAttempt?: ProbeResult }> {
  const first = await attempt();
  if (first.outcome !== "fail") return { result: first };
  await sleep(delayMs);
  return { result: await attempt(), firstAttempt: first };
}
