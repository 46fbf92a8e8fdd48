import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { epochMs, type Sql } from "../db/client.ts";
import type { ServiceThresholds } from "../db/schema.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import type { WindowStats } from "./evaluate.ts";
import type { Transition } from "./uptime.ts";
import { IS_ERROR_SQL } from "../domain/error-event.ts";
import { ROLLUP_BUCKETS } from "../rollups/rollup-sql.ts";
import { planWindow } from "../rollups/window-plan.ts";
import { histogramText, LatencyHistogram } from "../rollups/histogram.ts";
import type { HourHistograms } from "./hour-histograms.ts";

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
 * roll-ups for the window's whole hours, each edge hour as its minutes or as its hour row
 * less the minutes outside the window, raw events only for a window under a minute
 * (rollups/window-plan.ts), so a few rows per service whatever the traffic. Percentiles
 * are nearest-rank from the merged latency histograms (rollups/histogram.ts), within 2%
 * of the exact value (migrations/0011); PostgreSQL sends
 * each part's buckets as text and they are merged here, and the whole hours' merge is kept
 * in `hours` for the next call while their event count holds (status/hour-histograms.ts).
 * The last event is the window's, or for a service silent in it, the newest before its end.
 */
export async function readWindowStats(sql: Sql, now: Date, windowMs: number, hours: HourHistograms, names?: string[]): Promise<ServiceWindowRow[]> {
  const p = planWindow(new Date(now.getTime() - windowMs), now);
  const [from, m0, h0, h1, m1, to] = [p.from, p.m0, p.h0, p.h1, p.m1, p.to].map((d) => d.toISOString()) as [string, string, string, string, string, string];
  const span = { h0, h1 };
  // The newest event the window can count: one in the minute `to` falls in, or (under a
  // minute) `to`'s own.
  const lastUpTo = p.m1 > p.to ? `${new Date(p.m1.getTime() - 1000).toISOString().slice(0, 19)}.999999Z` : to;
  const known = hours.known(span);
  // The edge hours' parts, one range scan each, and for a window under a minute (the only
  // one planWindow leaves raw ranges in) its raw events. Which of them there are is part of
  // the statement's text, so each shape is prepared once per connection, and a window of a
  // minute or more has no scan of log_events to plan, lock and run empty.
  const parts = p.parts.map(
    (part) => sql`
      SELECT service_id, ${part.sign}::int AS sign, ts, events, errors, latency_buckets, latency_counts, last_ts FROM log_rollups
      WHERE bucket_seconds = ${ROLLUP_BUCKETS[part.granularity]} AND ts >= ${part.from.toISOString()} AND ts < ${part.to.toISOString()} AND service_id IN (SELECT id FROM svc)`,
  );
  const raw = sql`
        -- A window under a minute: its events, each as a one-bucket histogram.
        SELECT service_id, 1 AS sign, ts, 1 AS events, (${sql.unsafe(IS_ERROR_SQL)})::int AS errors,
               CASE WHEN latency_ms IS NULL THEN '{}' ELSE ARRAY[failsight_latency_bucket(latency_ms)] END AS latency_buckets,
               CASE WHEN latency_ms IS NULL THEN '{}' ELSE ARRAY[1] END AS latency_counts, ts AS last_ts FROM (
          SELECT service_id, level, http_status, latency_ms, ts FROM log_events
          WHERE service_id IN (SELECT id FROM svc) AND ts > ${from} AND ts < ${m0}
          UNION ALL
          SELECT service_id, level, http_status, latency_ms, ts FROM log_events
          WHERE service_id IN (SELECT id FROM svc) AND ts >= ${m1} AND ts <= ${to}
        ) raw`;
  const pieces = p.from < p.m0 || p.m1 <= p.to ? [raw, ...parts] : parts;
  const rest = pieces.length
    ? pieces.reduce((union, piece) => sql`${union} UNION ALL ${piece}`)
    : sql`SELECT NULL::int AS service_id, 1 AS sign, NULL::timestamptz AS ts, 0 AS events, 0 AS errors, '{}'::smallint[] AS latency_buckets, '{}'::int[] AS latency_counts, NULL::timestamptz AS last_ts WHERE false`;
  // Planning this statement (five scans of partitioned tables under row-level security)
  // cost 4-5 ms of a 5-15 ms call, and PostgreSQL kept re-planning it: the generic plan's
  // estimate looked worse than the custom ones. Its plan does not depend on the window
  // (index range scans, months pruned when it runs), so it is planned once per connection.
  // JIT is off on every connection (db/client.ts), so a generic plan cannot trip it.
  // Sent, not waited for: the statement below follows it on the connection at once (a
  // failure aborts the transaction, and that statement reports it). So this function has
  // sent its read before it first yields, which evaluateServices relies on.
  sql`SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`.execute().catch(() => {});
  const rows = await sql<
    {
      service_id: number; service: string; owner_team: string | null; tier: number | null; type: string; thresholds: ServiceThresholds;
      hour_events: number | null; hour_errors: number | null; hour_buckets: string | null; hour_counts: string | null;
      rest_events: number | null; rest_errors: number | null; rest_buckets: string | null; rest_counts: string | null;
      less_buckets: string | null; less_counts: string | null; last_event_ms: number | null;
    }[]
  >`
    WITH svc AS (
      SELECT id, name, owner_team, tier, type, thresholds FROM services
      ${names ? sql`WHERE name = ANY(${names}::text[])` : sql``}
    ), hr AS (
      -- A range scan of (bucket_seconds, ts): the hours the window covers whole.
      SELECT service_id, events, errors, latency_buckets, latency_counts, last_ts FROM log_rollups
      WHERE bucket_seconds = ${ROLLUP_BUCKETS.hour} AND ts >= ${h0} AND ts < ${h1} AND service_id IN (SELECT id FROM svc)
    ), hour_totals AS (
      SELECT service_id, sum(events)::float8 AS events, sum(errors)::float8 AS errors, max(last_ts) AS last_ts FROM hr GROUP BY service_id
    ), hour_hist AS (
      -- Only for services whose hours are not held already with this many events.
      SELECT hr.service_id, ${sql.unsafe(histogramText())} FROM hr JOIN hour_totals t USING (service_id)
      WHERE NOT EXISTS (SELECT 1 FROM unnest(${known.serviceIds}::int[], ${known.events}::float8[]) k(id, events) WHERE k.id = t.service_id AND k.events = t.events)
      GROUP BY hr.service_id
    ), rest AS (
      ${rest}
    ), rest_totals AS (
      -- Rows taken away are the minutes of an edge hour outside the window (rollups/window-plan.ts).
      SELECT service_id, sum(sign * events)::float8 AS events, sum(sign * errors)::float8 AS errors,
             max(last_ts) FILTER (WHERE sign > 0) AS last_ts, bool_or(sign < 0 AND ts >= ${m1}) AS future,
             ${sql.unsafe(histogramText("", "sign > 0"))}, ${sql.unsafe(histogramText("less_", "sign < 0"))}
      FROM rest GROUP BY service_id
    )
    SELECT svc.id AS service_id, svc.name AS service, svc.owner_team, svc.tier, svc.type, svc.thresholds,
           ht.events AS hour_events, ht.errors AS hour_errors, hh.buckets AS hour_buckets, hh.counts AS hour_counts,
           rt.events AS rest_events, rt.errors AS rest_errors, rt.buckets AS rest_buckets, rt.counts AS rest_counts,
           rt.less_buckets AS less_buckets, rt.less_counts AS less_counts,
           ${sql.unsafe(epochMs("last.at"))} AS last_event_ms
    FROM svc LEFT JOIN hour_totals ht ON ht.service_id = svc.id LEFT JOIN hour_hist hh ON hh.service_id = svc.id
    LEFT JOIN rest_totals rt ON rt.service_id = svc.id
    LEFT JOIN LATERAL (
      -- An hour's row knows only its last event: when events stamped after this minute are
      -- in the current hour, its last may be one of them, so the newest is looked up.
      SELECT coalesce(CASE WHEN NOT coalesce(rt.future, false) THEN greatest(ht.last_ts, rt.last_ts) END,
                      (SELECT max(e.ts) FROM log_events e WHERE e.service_id = svc.id AND e.ts <= ${lastUpTo})) AS at
    ) last ON true
    ORDER BY svc.name`;
  return rows.map((r) => {
    const latency = new LatencyHistogram();
    if (r.hour_events !== null) {
      // Sent only when what is held is missing or stale; then it is what is held next time.
      let whole = r.hour_buckets === null ? hours.get(r.service_id, span, r.hour_events) : undefined;
      if (!whole) hours.set(r.service_id, span, r.hour_events, (whole = new LatencyHistogram().addLists(r.hour_buckets, r.hour_counts)));
      latency.addAll(whole);
    }
    latency.addLists(r.rest_buckets, r.rest_counts);
    latency.addLists(r.less_buckets, r.less_counts, -1);
    const [p50, p95, p99] = latency.quantiles([0.5, 0.95, 0.99]);
    return {
      serviceId: r.service_id,
      service: r.service,
      ownerTeam: r.owner_team,
      tier: r.tier,
      type: r.type,
      thresholds: r.thresholds,
      requests: (r.hour_events ?? 0) + (r.rest_events ?? 0),
      errors: (r.hour_errors ?? 0) + (r.rest_errors ?? 0),
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

/**
 * Transitions of one service in [from, to), and the state in force at `from`: two
 * statements sent at once (one round trip), so both are on the connection before this
 * first yields.
 */
export async function readTransitions(sql: Sql, serviceId: number, from: Date, to: Date) {
  const [[before], rows] = await Promise.all([
    sql<{ to_state: ServiceState }[]>`
      SELECT to_state FROM status_events WHERE service_id = ${serviceId} AND at < ${from.toISOString()}
      ORDER BY at DESC, id DESC LIMIT 1`,
    sql<{ at_ms: number; from_state: ServiceState; to_state: ServiceState; reason: string }[]>`
      SELECT ${sql.unsafe(epochMs("at"))} AS at_ms, from_state, to_state, reason FROM status_events
      WHERE service_id = ${serviceId} AND at >= ${from.toISOString()} AND at < ${to.toISOString()} ORDER BY at, id`,
  ]);
  const events: StatusEventRow[] = rows.map((r) => ({ at: new Date(r.at_ms), fromState: r.from_state, toState: r.to_state, reason: r.reason }));
  return { initial: before?.to_state ?? null, events };
}
