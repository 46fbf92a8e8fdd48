import { createHash } from "node:crypto";

/** GET /logs filter sets, by name: the bench's /logs section, and the readers of a mixed-load run. */
export const LOGS_CASES: [string, Record<string, string>][] = [
  ["one service, last hour", { service: "svc-03", from: "now-1h" }],
  ["one service, errors, last 24h", { service: "svc-03", level: "error", from: "now-24h" }],
  ["all services, 5xx, last 24h", { status: "5xx", from: "now-24h" }],
  ["error code, last 7d", { error_code: "E_UPSTREAM_TIMEOUT", from: "now-7d" }],
  ["text search, one service, last 24h", { service: "svc-07", q: "timeout", from: "now-24h" }],
  ["three services, last 30d, 1000 rows", { service: "svc-01,svc-02,svc-03", from: "now-30d", limit: "1000" }],
  // The fixture's trace ids are md5 of the event's number.
  ["trace id", { trace_id: createHash("md5").update("123456").digest("hex") }],
  ["no filter, newest 100", {}],
];

/** What a mixed-load run's readers ask, in turn: every /logs filter set and every /status window. */
export const MIXED_PATHS = [
  ...LOGS_CASES.map(([, p]) => `/logs?${new URLSearchParams(p)}`),
  "/status?window=5m",
  "/status?window=1h",
  "/status?window=24h",
  "/status/svc-03?window=24h",
];
