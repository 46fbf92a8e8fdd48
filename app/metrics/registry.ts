import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The one registry the API's /metrics serves. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: "failsight_http_requests_total",
  help: "HTTP requests served by the Failsight API, by method, route template and status.",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: "failsight_http_request_duration_seconds",
  help: "Time to serve Failsight API requests, by method, route template and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const ingestedEvents = new Counter({
  name: "failsight_ingest_events_total",
  help: "Log events received on POST /v1/logs, by result (accepted, rejected).",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const ingestedBatches = new Counter({
  name: "failsight_ingest_batches_total",
  help: "Ingest batches whose body was read, by result (accepted, rejected: refused as the caller's mistake, failed: Failsight's own).",
  labelNames: ["result"] as const,
  registers: [registry],
});

export const auditFailures = new Counter({
  name: "failsight_audit_write_failures_total",
  help: "Requests whose audit entry could not be written (the request itself had already been answered).",
  registers: [registry],
});
