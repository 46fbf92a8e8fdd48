import type { LogEvent } from "../domain/log-event.ts";
import type { CheckKind, Severity } from "../domain/vocabulary.ts";
import type { ProbeResult } from "./probes/probe-result.ts";

const LEVEL: Record<ProbeResult["outcome"], Severity> = { pass: "info", warn: "warn", fail: "error" };

/**
 * A confirmed check result as an event of the checked service: a failure is an error (so
 * error rates, /logs and alerts count it), a warning a warn. The target's HTTP status goes
 * in the attributes, not `status`: a check that expected 200 and got 404 failed, and a 4xx
 * status would not count as an error. Pure.
 */
export function checkEvent(check: { name: string; service: string; kind: CheckKind }, result: ProbeResult, at: Date, firstAttempt?: ProbeResult): LogEvent {
  return {
    service: check.service,
    timestamp: at,
    level: LEVEL[result.outcome],
    message: `check ${check.name}: ${result.message}`,
    ...(result.errorCode ? { error_code: result.errorCode } : {}),
    ...(result.latencyMs !== undefined ? { latency_ms: Math.round(result.latencyMs * 1000) / 1000 } : {}),
    attributes: {
      source: "check",
      check: check.name,
      kind: check.kind,
      outcome: result.outcome,
      ...result.details,
      ...(firstAttempt ? { retried: true, first_attempt: firstAttempt.message } : {}),
    },
  };
}
