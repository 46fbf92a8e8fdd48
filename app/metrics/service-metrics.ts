import { Counter, Gauge, Histogram } from "prom-client";
import { isErrorEvent } from "../domain/errors.ts";
import type { NormalizedEvent } from "../ingest/parse-batch.ts";
import type { ServiceStatus } from "../status/service-status.ts";
import { LabelLimiter, OTHER } from "./label-limiter.ts";
import { registry } from "./registry.ts";

// The health of the services Failsight watches, derived from the events it ingests, so
// Prometheus can alert on every service without scraping it. Counters move at ingest (after
// commit); the state gauges follow the status tracker's evaluations.

const registers = [registry];
const requests = new Counter({ name: "failsight_service_requests_total", help: "Events ingested per monitored service, by HTTP status class (2xx...5xx, or none).", labelNames: ["service", "code_class"] as const, registers });
const errors = new Counter({ name: "failsight_service_errors_total", help: "Events counted as errors (5xx, or error/fatal without a status) per monitored service, by error code (none when absent).", labelNames: ["service", "error_code"] as const, registers });
const latency = new Histogram({
  name: "failsight_service_request_duration_seconds",
  help: "Request latency reported by events of each monitored service.",
  labelNames: ["service"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});
const state = new Gauge({ name: "failsight_service_state", help: "1 for the state each monitored service is in now (up, degraded, down, unknown), 0 for the others.", labelNames: ["service", "state"] as const, registers });
const info = new Gauge({ name: "failsight_service_info", help: "Always 1; carries each service's owning team, tier and type for joins in alerts.", labelNames: ["service", "team", "tier", "type"] as const, registers });
const sloTarget = new Gauge({ name: "failsight_service_slo_target_ratio", help: "Availability objective of each service over 30 days (default 0.999).", labelNames: ["service"] as const, registers });
const latencyObjective = new Gauge({ name: "failsight_service_latency_objective_seconds", help: "Latency above which a service counts as slow (its p95 threshold, default 1s).", labelNames: ["service"] as const, registers });
const expectedInterval = new Gauge({ name: "failsight_service_expected_interval_seconds", help: "Longest silence a service may keep before it is down; only services that declare one.", labelNames: ["service"] as const, registers });
const lastEvent = new Gauge({ name: "failsight_service_last_event_timestamp_seconds", help: "Time of the latest event of each service, as a Unix time.", labelNames: ["service"] as const, registers });

const STATES = ["up", "degraded", "down", "unknown"] as const;

let services = new LabelLimiter(500);
let errorSeries = new LabelLimiter(2_000);

/** Caps from configuration; services and (service, error code) pairs beyond them fold into `other`. */
export function limitServiceLabels(maxServices: number, maxErrorSeries: number) {
  services = new LabelLimiter(maxServices);
  errorSeries = new LabelLimiter(maxErrorSeries);
}

const serviceLabel = (name: string) => services.label(name);

/** Counts a committed batch. */
export function observeEvents(events: NormalizedEvent[]) {
  for (const event of events) {
    const service = serviceLabel(event.service);
    requests.inc({ service, code_class: event.status ? `${Math.floor(event.status / 100)}xx` : "none" });
    if (isErrorEvent(event)) {
      const code = event.error_code ?? "none";
      const error_code = errorSeries.label(`${service}\u0000${code}`) === OTHER ? OTHER : code;
      errors.inc({ service, error_code });
    }
    if (event.latency_ms !== undefined) latency.observe({ service }, event.latency_ms / 1000);
  }
}

/** Replaces the state gauges with one evaluation of every service. */
export function publishStatuses(statuses: ServiceStatus[]) {
  for (const g of [state, info, sloTarget, latencyObjective, expectedInterval, lastEvent]) g.reset();
  for (const s of statuses) {
    const service = serviceLabel(s.service);
    if (service === OTHER) continue; // an average of folded services would mean nothing
    for (const st of STATES) state.set({ service, state: st }, s.state === st ? 1 : 0);
    info.set({ service, team: s.ownerTeam ?? "unowned", tier: s.tier === null ? "none" : String(s.tier), type: s.type }, 1);
    sloTarget.set({ service }, s.effectiveThresholds.slo_target);
    latencyObjective.set({ service }, s.effectiveThresholds.p95_latency_ms_degraded / 1000);
    if (s.effectiveThresholds.silence_seconds_down !== null) expectedInterval.set({ service }, s.effectiveThresholds.silence_seconds_down);
    if (s.lastEventAt) lastEvent.set({ service }, s.lastEventAt.getTime() / 1000);
  }
}
