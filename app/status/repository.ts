import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { epochMs, type Sql } from "../db/client.ts";
import type { ServiceThresholds } from "../db/schema.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import type { WindowStats } from "./evaluate.ts";
import type { Transition } from "./uptime.ts";
import { IS_ERROR_SQL } from "../domain/error-event.ts";
import { ROLLUP_BUCKETS } from "../rollups/rollup-sql.ts";
import { planWindow } from "../rollups/window-plan.ts";
import { histogramQuantiles } from "../rollups/histogram.ts";

export type ServiceWindowRow = WindowStats & {
  serviceId: number;
  service: string;
  ownerTeam: string | null;
  tier: number | null;
  type: string;
  thresholds: ServiceThresholds;
};

/**
 * Window statistics for every service (or the named ones), in one round trip: hour
 * roll-ups for the window's whole hours, minute roll-ups around them, raw events only for
 * a window under a minute (rollups/window-plan.ts), so a few rows per service whatever the
 * traffic. Percentiles are nearest-rank from the merged latency histograms
 * (rollups/histogram.ts), within 2% of the exact value (migrations/0011). The last event is
 * the window's, or for a service silent in it, the newest before its end.
 */
export async function readWindowStats(sql: Sql, now: Date, windowMs: number, names?: string[]): Promise<ServiceWindowRow[]> {
  const p = planWindow(new Date(now.getTime() - windowMs), now);
  const [from, m0, h0, h1, m1, to] = [p.from, p.m0, p.h0, p.h1, p.m1, p.to].map((d) => d.toISOString()) as [string, string, string, string, string, string];
  const rows = await sql<
    { service_id: number; service: string; owner_team: string | null; tier: number | null; type: string; thresholds: ServiceThresholds; requests: number; errors: number; latency_values: number[] | null; latency_counts: number[] | null; last_event_ms: number | null }[]
  >`
    WITH svc AS (
      SELECT id, name, owner_team, tier, type, thresholds FROM services
      ${names ? sql`WHERE name = ANY(${names}::text[])` : sql``}
    ), r AS (
      -- Three range scans of (bucket_seconds, ts): hours, then minutes either side.
      SELECT service_id, events, errors, latency_buckets, latency_counts, last_ts FROM log_rollups
      WHERE bucket_seconds = ${ROLLUP_BUCKETS.hour} AND ts >= ${h0} AND ts < ${h1} AND service_id IN (SELECT id FROM svc)
      UNION ALL
      SELECT service_id, events, errors, latency_buckets, latency_counts, last_ts FROM log_rollups
      WHERE bucket_seconds = ${ROLLUP_BUCKETS.minute} AND ts >= ${m0} AND ts < ${h0} AND service_id IN (SELECT id FROM svc)
      UNION ALL
      SELECT service_id, events, errors, latency_buckets, latency_counts, last_ts FROM log_rollups
      WHERE bucket_seconds = ${ROLLUP_BUCKETS.minute} AND ts >= ${h1} AND ts < ${m1} AND service_id IN (SELECT id FROM svc)
    ), raw AS (
      SELECT service_id, level, http_status, latency_ms, ts FROM log_events
      WHERE service_id IN (SELECT id FROM svc) AND ts > ${from} AND ts < ${m0}
      UNION ALL
      SELECT service_id, level, http_status, latency_ms, ts FROM log_events
      WHERE service_id IN (SELECT id FROM svc) AND ts >= ${m1} AND ts <= ${to}
    ), totals AS (
      SELECT service_id, sum(events)::int AS events, sum(errors)::int AS errors, max(last_ts) AS last_ts FROM (
        SELECT service_id, events, errors, last_ts FROM r
        UNION ALL
        SELECT service_id, 1, (${sql.unsafe(IS_ERROR_SQL)})::int, ts FROM raw
      ) t GROUP BY service_id
    ), hist AS (
      -- Set-returning functions in the select list zip the two arrays (a ProjectSet, far
      -- cheaper per element than unnest(a, b) in FROM).
      SELECT service_id, b, sum(c) AS c FROM (
        SELECT service_id, unnest(latency_buckets) AS b, unnest(latency_counts) AS c FROM r
        UNION ALL
        SELECT service_id, failsight_latency_bucket(latency_ms), 1 FROM raw WHERE latency_ms IS NOT NULL
      ) h GROUP BY service_id, b
    ), q AS (
      SELECT service_id, array_agg(failsight_latency_value(b) ORDER BY b) AS latency_values, array_agg(c::float8 ORDER BY b) AS latency_counts
      FROM hist GROUP BY service_id
    )
    SELECT svc.id AS service_id, svc.name AS service, svc.owner_team, svc.tier, svc.type, svc.thresholds,
           coalesce(t.events, 0) AS requests, coalesce(t.errors, 0) AS errors, q.latency_values, q.latency_counts,
           ${sql.unsafe(epochMs("last.at"))} AS last_event_ms
    FROM svc LEFT JOIN totals t ON t.service_id = svc.id LEFT JOIN q ON q.service_id = svc.id
    LEFT JOIN LATERAL (SELECT coalesce(t.last_ts, (SELECT max(e.ts) FROM log_events e WHERE e.service_id = svc.id AND e.ts <= ${to})) AS at) last ON true
    ORDER BY svc.name`;
  return rows.map((r) => {
    const [p50, p95, p99] = histogramQuantiles(r.latency_values ?? [], r.latency_counts ?? [], [0.5, 0.95, 0.99]);
    return {
      serviceId: r.service_id,
      service: r.service,
      ownerTeam: r.owner_team,
      tier: r.tier,
      type: r.type,
      thresholds: r.thresholds,
      requests: r.requests,
      errors: r.errors,
      p50: p50!,
      p95: p95!,
      p99: p99!,
      lastEventAt: r.last_event_ms === null ? null : new Date(r.last_event_ms),
    };
  });
}

/** Records a status_events row for each service whose state differs from its last one. */
export async function recordTransitions(
  sql: Sql,
  evaluated: { serviceId: number; state: ServiceState; reason: string }[],
  now: Date,
): Promise<number> {
  if (evaluated.length === 0) return 0;
  // In the caller's transaction (the tracker's, as Failsight itself): the lock lasts to its end.
  await sql`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.statusTransitions})`;
  const inserted = await sql`
      INSERT INTO status_events (service_id, from_state, to_state, at, reason)
      SELECT v.service_id, coalesce(last.to_state, 'unknown'), v.state, ${now.toISOString()}::timestamptz, v.reason
      FROM unnest(${evaluated.map((e) => e.serviceId)}::int[], ${evaluated.map((e) => e.state)}::service_state[], ${evaluated.map((e) => e.reason)}::text[])
           AS v(service_id, state, reason)
      LEFT JOIN LATERAL (
        SELECT to_state FROM status_events se WHERE se.service_id = v.service_id ORDER BY at DESC, id DESC LIMIT 1
      ) last ON true
      WHERE coalesce(last.to_state, 'unknown') <> v.state`;
  return inserted.count;
}

/** A Transition (uptimeRatio takes these as they are), with where it came from and why. */
export type StatusEventRow = Transition & { fromState: ServiceState; reason: string };

/** Transitions of one service in [from, to), and the state in force at `from`. */
export async function readTransitions(sql: Sql, serviceId: number, from: Date, to: Date) {
  const [before] = await sql<{ to_state: ServiceState }[]>`
    SELECT to_state FROM status_events WHERE service_id = ${serviceId} AND at < ${from.toISOString()}
    ORDER BY at DESC, id DESC LIMIT 1`;
  const rows = await sql<{ at_ms: number; from_state: ServiceState; to_state: ServiceState; reason: string }[]>`
    SELECT ${sql.unsafe(epochMs("at"))} AS at_ms, from_state, to_state, reason FROM status_events
    WHERE service_id = ${serviceId} AND at >= ${from.toISOString()} AND at < ${to.toISOString()} ORDER BY at, id`;
  const events: StatusEventRow[] = rows.map((r) => ({ at: new Date(r.at_ms), fromState: r.from_state, toState: r.to_state, reason: r.reason }));
  return { initial: before?.to_state ?? null, events };
}
