import type { PingKind } from "../domain/vocabulary.ts";
import { secondsBetween, type Verdict } from "./verdict.ts";

export type HeartbeatState = {
  periodSeconds: number;
  graceSeconds: number;
  createdAt: Date;
  lastPingAt: Date | null;
  lastPingKind: PingKind | null;
  lastSuccessAt: Date | null;
};

/**
 * A heartbeat's verdict, as Healthchecks.io and Uptime Kuma's push monitors decide it: down
 * once the last success (or the heartbeat's creation) is more than period + grace ago, at
 * once on `/fail`, and when a job that said `/start` has not finished within the grace.
 * None while it waits for its first ping and is not late yet. Pure.
 */
export function heartbeatVerdict(h: HeartbeatState, now: Date): Verdict | undefined {
  const expected = `expected every ${h.periodSeconds}s, grace ${h.graceSeconds}s`;
  if (h.lastPingKind === "fail" && h.lastPingAt) {
    return { state: "down", reason: `the job reported a failure ${secondsBetween(h.lastPingAt, now)}s ago (/fail)`, source: "heartbeat" };
  }
  if (h.lastPingKind === "start" && h.lastPingAt && secondsBetween(h.lastPingAt, now) > h.graceSeconds) {
    return { state: "down", reason: `the job started ${secondsBetween(h.lastPingAt, now)}s ago and has not finished (grace ${h.graceSeconds}s)`, source: "heartbeat" };
  }
  const since = h.lastSuccessAt ?? h.createdAt;
  const silent = secondsBetween(since, now);
  if (silent > h.periodSeconds + h.graceSeconds) {
    const what = h.lastSuccessAt ? `no ping for ${silent}s` : `no ping since the heartbeat was set up ${silent}s ago`;
    return { state: "down", reason: `${what} (${expected})`, source: "heartbeat" };
  }
  if (h.lastPingKind === "start") return { state: "up", reason: `the job is running, started ${secondsBetween(h.lastPingAt!, now)}s ago`, source: "heartbeat" };
  if (!h.lastSuccessAt) return undefined;
  return { state: "up", reason: `last ping ${silent}s ago (${expected})`, source: "heartbeat" };
}
