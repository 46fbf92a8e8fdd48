import type { ServiceStatus } from "../../../status/service-status.ts";

export function presentStatus(s: ServiceStatus) {
  return {
    service: s.service,
    owner_team: s.ownerTeam,
    state: s.state,
    reason: s.reason,
    impacted_by: s.impactedBy,
    requests: s.requests,
    errors: s.errors,
    error_rate: s.errorRate,
    latency_ms: { p50: s.p50, p95: s.p95, p99: s.p99 },
    last_event_at: s.lastEventAt?.toISOString() ?? null,
    thresholds: s.effectiveThresholds,
  };
}
