import { checkVerdict } from "../../../checks/check-verdict.ts";
import type { CheckRecord } from "../../../checks/repository.ts";
import type { HttpCheck } from "../../../domain/check-spec.ts";
import { HEADER_SHOWN } from "./schema.ts";

/** A check as the API shows it: header values (credentials, often) are never shown, even to who may see the service. */
export function presentCheck(c: CheckRecord, now: Date) {
  const verdict = checkVerdict({ name: c.name, intervalSeconds: c.intervalSeconds, timeoutMs: c.timeoutMs, lastRunAt: c.lastRunAt, lastOutcome: c.lastOutcome, lastMessage: c.lastMessage }, now);
  const spec = c.kind === "http" ? redactHeaders(c.spec as HttpCheck) : c.spec;
  return {
    name: c.name,
    service: c.service,
    kind: c.kind,
    source: c.source,
    interval_seconds: c.intervalSeconds,
    timeout_ms: c.timeoutMs,
    [c.kind]: spec,
    created_at: c.createdAt.toISOString(),
    last_result:
      c.lastRunAt && c.lastOutcome
        ? { at: c.lastRunAt.toISOString(), outcome: c.lastOutcome, latency_ms: c.lastLatencyMs, error_code: c.lastErrorCode, message: c.lastMessage }
        : null,
    state: verdict?.state ?? ("unknown" as const),
    reason: verdict?.reason ?? (c.lastRunAt ? "the last result is stale: no runner has probed it lately" : "not probed yet"),
  };
}

function redactHeaders(spec: HttpCheck): HttpCheck {
  return spec.headers ? { ...spec, headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, HEADER_SHOWN])) } : spec;
}
