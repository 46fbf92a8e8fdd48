import { Counter, Histogram } from "prom-client";
import { isErrorEvent } from "../domain/error-event.ts";
import type { LogEvent } from "../domain/log-event.ts";
import { registry } from "../metrics/registry.ts";
import { errorCodeLabel, serviceLabel } from "../metrics/service-labels.ts";

// What the services Failsight watches are doing, counted from the events it ingests (after
// commit), so Prometheus can alert on every service without scraping it.

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

/**
 * Counts a committed batch: tallied per label set first, so prom-client hashes each label
 * set once per batch rather than once per event (a 5,000-event batch spent more time in
 * label lookups than in its counters).
 */
export function observeEvents(events: readonly LogEvent[]) {
  const counted = new Map<string, { service: string; codeClass: string; n: number }>();
  const failed = new Map<string, { service: string; code: string; n: number }>();
  const latencies = new Map<string, number[]>();
  for (const event of events) {
    const service = serviceLabel(event.service);
    const codeClass = event.status ? `${Math.floor(event.status / 100)}xx` : "none";
    const key = `${service}\u0000${codeClass}`;
    const c = counted.get(key);
    if (c) c.n++;
    else counted.set(key, { service, codeClass, n: 1 });
    if (isErrorEvent(event)) {
      const code = errorCodeLabel(service, event.error_code ?? "none");
      const errorKey = `${service}\u0000${code}`;
      const e = failed.get(errorKey);
      if (e) e.n++;
      else failed.set(errorKey, { service, code, n: 1 });
    }
    if (event.latency_ms !== undefined) {
      const list = latencies.get(service);
      if (list) list.push(event.latency_ms / 1000);
      else latencies.set(service, [event.latency_ms / 1000]);
    }
  }
  for (const c of counted.values()) requests.inc({ service: c.service, code_class: c.codeClass }, c.n);
  for (const e of failed.values()) errors.inc({ service: e.service, error_code: e.code }, e.n);
  for (const [service, values] of latencies) {
    const child = latency.labels({ service });
    for (const v of values) child.observe(v);
  }
}
