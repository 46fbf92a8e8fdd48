import type { LogEvent } from "../domain/log-event.ts";
import type { PingKind } from "../domain/vocabulary.ts";

const MESSAGES: Record<PingKind, string> = {
  success: "heartbeat: ping",
  fail: "heartbeat: the job reported a failure",
  start: "heartbeat: the job started",
};

/** The event a ping is stored as: a failure is an error (JOB_FAILED), so error rates and alerts count it. */
export function pingEvent(service: string, kind: PingKind, at: Date, output: string): LogEvent {
  return {
    service,
    timestamp: at,
    level: kind === "fail" ? "error" : "info",
    message: MESSAGES[kind],
    ...(kind === "fail" ? { error_code: "JOB_FAILED" } : {}),
    attributes: { source: "heartbeat", ping: kind, ...(output ? { output } : {}) },
  };
}
