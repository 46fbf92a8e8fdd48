import { Counter, Histogram } from "prom-client";
import { registry } from "../metrics/registry.ts";

const registers = [registry];

/** Confirmed results, by kind and outcome; per-service state is failsight_service_up and friends. */
export const checkResults = new Counter({ name: "failsight_check_results_total", help: "Confirmed uptime check results, by kind (http, tcp, dns) and outcome (pass, warn, fail).", labelNames: ["kind", "outcome"] as const, registers });
export const checkDuration = new Histogram({
  name: "failsight_check_duration_seconds",
  help: "Time from taking a check to recording its confirmed result (both attempts of a confirmed failure).",
  labelNames: ["kind"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});
