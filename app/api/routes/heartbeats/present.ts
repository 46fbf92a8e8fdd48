import { heartbeatVerdict } from "../../../checks/heartbeat-verdict.ts";
import type { HeartbeatRecord } from "../../../checks/heartbeats.ts";

export function presentHeartbeat(service: string, h: HeartbeatRecord, now: Date) {
  const verdict = heartbeatVerdict(h, now);
  return {
    service,
    period_seconds: h.periodSeconds,
    grace_seconds: h.graceSeconds,
    created_at: h.createdAt.toISOString(),
    last_ping_at: h.lastPingAt?.toISOString() ?? null,
    last_ping_kind: h.lastPingKind,
    last_success_at: h.lastSuccessAt?.toISOString() ?? null,
    state: verdict?.state ?? ("unknown" as const),
    reason: verdict?.reason ?? "waiting for the first ping",
  };
}
