import type { ServiceThresholds } from "../db/schema.ts";

import type { ServiceState } from "../domain/vocabulary.ts";

/** What one service did over the status window. Latencies in ms, null without samples. */
export type WindowStats = {
  requests: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  lastEventAt: Date | null;
};

/** What a service's own events and probes can say of it; `impacted` and `maintenance` come from outside it (impact.ts, maintenance windows). */
export type OwnState = Exclude<ServiceState, "impacted" | "maintenance">;

export type Thresholds = Required<Omit<ServiceThresholds, "silence_seconds_down">> & { silence_seconds_down: number | null };

/**
 * Defaults a team gets before it tunes anything: 5% errors is degraded, half failing is
 * down, a p95 over one second is degraded. Silence alone means nothing until a service
 * declares how often it should be heard from.
 */
const DEFAULT_THRESHOLDS: Thresholds = {
  error_rate_degraded: 0.05,
  error_rate_down: 0.5,
  p95_latency_ms_degraded: 1000,
  silence_seconds_down: null,
  slo_target: 0.999,
};

export function thresholdsFor(overrides: ServiceThresholds | null | undefined): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)) };
}

export function errorRate(stats: Pick<WindowStats, "requests" | "errors">): number {
  return stats.requests === 0 ? 0 : stats.errors / stats.requests;
}

/** The state of one service, and the reason a person would want to read. Pure. */
export function evaluateState(stats: WindowStats, thresholds: Thresholds, now: Date): { state: OwnState; reason: string } {
  if (thresholds.silence_seconds_down !== null) {
    const silentFor = stats.lastEventAt ? (now.getTime() - stats.lastEventAt.getTime()) / 1000 : Infinity;
    if (silentFor > thresholds.silence_seconds_down) {
      return {
        state: "down",
        reason: stats.lastEventAt
          ? `no events for ${Math.round(silentFor)}s (limit ${thresholds.silence_seconds_down}s)`
          : "no events ever received",
      };
    }
  }
  if (stats.requests === 0) return { state: "unknown", reason: "no events in the window" };
  const rate = errorRate(stats);
  if (rate >= thresholds.error_rate_down) {
    return { state: "down", reason: `error rate ${percent(rate)} ≥ ${percent(thresholds.error_rate_down)}` };
  }
  if (rate >= thresholds.error_rate_degraded) {
    return { state: "degraded", reason: `error rate ${percent(rate)} ≥ ${percent(thresholds.error_rate_degraded)}` };
  }
  if (stats.p95 !== null && stats.p95 >= thresholds.p95_latency_ms_degraded) {
    return { state: "degraded", reason: `p95 latency ${Math.round(stats.p95)} ms ≥ ${thresholds.p95_latency_ms_degraded} ms` };
  }
  return { state: "up", reason: `error rate ${percent(rate)}, ${stats.requests} events` };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

const SEVERITY: Record<OwnState, number> = { unknown: 0, up: 1, degraded: 2, down: 3 };

/**
 * The state of a service from what its events say and what its probes (checks, heartbeats)
 * say: the worst of them wins, so a failing check or a missed ping is down however calm the
 * logs, and logs full of errors are down however green the check. A probe's `up` stands in
 * for logs that say nothing (`unknown`). On a tie a probe's reason is given: it names the
 * check or the ping. Pure.
 */
export function weighVerdicts(fromEvents: { state: OwnState; reason: string }, probes: readonly { state: OwnState; reason: string }[]): { state: OwnState; reason: string } {
  // Probes first: a tie keeps the earlier, whose reason names the check or the ping.
  const worst = [...probes, fromEvents].reduce((worst, said) => (SEVERITY[said.state] > SEVERITY[worst.state] ? said : worst));
  return { state: worst.state, reason: worst.reason };
}
