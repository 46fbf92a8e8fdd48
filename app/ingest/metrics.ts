import { Counter, Histogram } from "prom-client";
import type { BatchTally } from "./event-columns.ts";
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
 * Counts a committed batch from its tally (tallied per label set where it was parsed, so
 * prom-client hashes each label set once per batch rather than once per event).
 */
export function observeBatch(tally: BatchTally) {
  for (const [service, codeClass, n] of tally.requests) requests.inc({ service: serviceLabel(service), code_class: codeClass }, n);
  for (const [service, code, n] of tally.errors) {
    const label = serviceLabel(service);
    errors.inc({ service: label, error_code: errorCodeLabel(label, code) }, n);
  }
  for (const [service, seconds] of tally.latencies) observeMany(latency, { service: serviceLabel(service) }, seconds);
}

type HistogramValues = { labels: Record<string, string | number>; bucketValues: Record<number, number>; sum: number; count: number };

/**
 * Adds a batch's values to one label set of a histogram in one step. prom-client's observe
 * makes a few small objects and strings per value; 5,000 a batch, on the event loop, were
 * promoted into old space and cost a full GC about every batch (#15). The first value
 * goes through observe (it validates the labels and makes their entry); the rest are
 * counted per bucket here and added to that entry, prom-client's own per-label values
 * (`hashMap`), once per bucket. Nothing is made per value: looking a bound up as a key of
 * `bucketValues` turned the number into a new string each time, and iterating the bounds
 * with for-of made an iterator result per step, 300 bytes of garbage per event, most of
 * the event loop's allocations while ingesting (#15, sampled with the inspector).
 * metrics.test.ts holds the output to what observing each value gives, so a prom-client
 * that keeps them otherwise fails there, not in production.
 */
export function observeMany<T extends string>(histogram: Histogram<T>, labels: Record<T, string>, values: Float64Array): void {
  if (!values.length) return;
  histogram.observe(labels, values[0]!);
  const bounds = (histogram as unknown as { upperBounds: number[] }).upperBounds;
  const entry = entryOf((histogram as unknown as { hashMap: Record<string, HistogramValues> }).hashMap, labels);
  // The smallest bound at or above each value, as observe finds it; above them all, only the count (+Inf) grows.
  const counts = new Float64Array(bounds.length);
  // Added in order onto the entry's sum, as observe adds: the same float.
  let sum = entry.sum;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    let b = 0;
    while (b < bounds.length && v > bounds[b]!) b++;
    if (b < bounds.length) counts[b]!++;
  }
  for (let b = 0; b < bounds.length; b++) if (counts[b]) entry.bucketValues[bounds[b]!]! += counts[b]!;
  entry.sum = sum;
  entry.count += values.length - 1;
}

/** The per-label values of `labels` in a histogram's hashMap, found without building an array of them. */
function entryOf(hashMap: Record<string, HistogramValues>, labels: Record<string, string>): HistogramValues {
  search: for (const key in hashMap) {
    const entry = hashMap[key]!;
    for (const name in labels) if (entry.labels[name] !== labels[name]) continue search;
    return entry;
  }
  throw new Error("observe made no entry for these labels");
}
