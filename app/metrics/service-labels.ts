import { LabelLimiter, OTHER } from "./label-limiter.ts";

// The `service` label of every per-service series, and the (service, error code) pairs,
// capped so a flood of new names cannot grow Prometheus' memory without bound: names past
// the caps fold into `other`. Ingest counters and status gauges share the one cap.

/** Default caps (METRICS_MAX_SERVICES, METRICS_MAX_ERROR_SERIES). */
export const DEFAULT_MAX_SERVICES = 500;
export const DEFAULT_MAX_ERROR_SERIES = 2_000;

let services = new LabelLimiter(DEFAULT_MAX_SERVICES);
let errorSeries = new LabelLimiter(DEFAULT_MAX_ERROR_SERIES);

/** Caps from configuration. */
export function limitServiceLabels(maxServices: number, maxErrorSeries: number) {
  services = new LabelLimiter(maxServices);
  errorSeries = new LabelLimiter(maxErrorSeries);
}

export const serviceLabel = (name: string) => services.label(name);

/** The error code to label a series of `service` with, or `other` past the cap. */
export const errorCodeLabel = (service: string, code: string) => (errorSeries.label(`${service}\u0000${code}`) === OTHER ? OTHER : code);

export { OTHER };
