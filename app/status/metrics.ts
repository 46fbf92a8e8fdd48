import { Gauge } from "prom-client";
import { SERVICE_STATES } from "../domain/vocabulary.ts";
import { registry } from "../metrics/registry.ts";
import { OTHER, serviceLabel } from "../metrics/service-labels.ts";
import type { ServiceStatus } from "./service-status.ts";

// The state of every service as the status tracker last evaluated it, with what alerts
// join on (team, tier, objectives).

const registers = [registry];
const state = new Gauge({ name: "failsight_service_state", help: "1 for the state each monitored service is in now (up, degraded, down, unknown, impacted, maintenance), 0 for the others.", labelNames: ["service", "state"] as const, registers });
const rootCause = new Gauge({
  name: "failsight_service_root_cause",
  help: "Always 1, one series per service: root_cause is the down service it depends on when it is impacted (the first, by name, of several), else the service itself. Alerts carry it; Alertmanager's inhibit rule silences a root cause's dependents.",
  labelNames: ["service", "root_cause"] as const,
  registers,
});
const info = new Gauge({ name: "failsight_service_info", help: "Always 1; carries each service's owning team, tier and type for joins in alerts.", labelNames: ["service", "team", "tier", "type"] as const, registers });
const sloTarget = new Gauge({ name: "failsight_service_slo_target_ratio", help: "Availability objective of each service over 30 days (default 0.999).", labelNames: ["service"] as const, registers });
const latencyObjective = new Gauge({ name: "failsight_service_latency_objective_seconds", help: "Latency above which a service counts as slow (its p95 threshold, default 1s).", labelNames: ["service"] as const, registers });
const expectedInterval = new Gauge({ name: "failsight_service_expected_interval_seconds", help: "Longest silence a service may keep before it is down; only services that declare one.", labelNames: ["service"] as const, registers });
const lastEvent = new Gauge({ name: "failsight_service_last_event_timestamp_seconds", help: "Time of the latest event of each service, as a Unix time.", labelNames: ["service"] as const, registers });

/** Replaces the state gauges with one evaluation of every service. */
export function publishStatuses(statuses: ServiceStatus[]) {
  for (const g of [state, rootCause, info, sloTarget, latencyObjective, expectedInterval, lastEvent]) g.reset();
  for (const s of statuses) {
    const service = serviceLabel(s.service);
    if (service === OTHER) continue; // an average of folded services would mean nothing
    for (const st of SERVICE_STATES) state.set({ service, state: st }, s.state === st ? 1 : 0);
    rootCause.set({ service, root_cause: serviceLabel(s.impactedBy[0] ?? s.service) }, 1);
    info.set({ service, team: s.ownerTeam ?? "unowned", tier: s.tier === null ? "none" : String(s.tier), type: s.type }, 1);
    sloTarget.set({ service }, s.effectiveThresholds.slo_target);
    latencyObjective.set({ service }, s.effectiveThresholds.p95_latency_ms_degraded / 1000);
    if (s.effectiveThresholds.silence_seconds_down !== null) expectedInterval.set({ service }, s.effectiveThresholds.silence_seconds_down);
    if (s.lastEventAt) lastEvent.set({ service }, s.lastEventAt.getTime() / 1000);
  }
}
