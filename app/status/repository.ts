import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { epochMs, type Sql } from "../db/client.ts";
import type { ServiceThresholds } from "../db/schema.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import type { WindowStats } from "./evaluate.ts";
import type { Transition } from "./uptime.ts";
import { IS_ERROR_SQL } from "../domain/error-event.ts";

export type ServiceWindowRow = WindowStats & {
  serviceId: number;
  service: string;
  ownerTeam: string | null;
  tier: number | null;
  type: string;
  thresholds: ServiceThresholds;
};


/** Window statistics for every service (or the named ones), in one round trip. */
export async function readWindowStats(sql: Sql, now: Date, windowMs: number, names?: string[]): Promise<ServiceWindowRow[]> {
  const from = new Date(now.getTime() - windowMs).toISOString();
  const until = now.toISOString();
  const rows = await sql<
    { service_id: number; service: string; owner_team: string | null; tier: number | null; type: string; thresholds: ServiceThresholds; requests: number; errors: number; p: (number | null)[] | null; last_event_ms: number | null }[]
  >`
    SELECT s.id AS service_id, s.name AS service, s.owner_team, s.tier, s.type, s.thresholds,
           coalesce(w.requests, 0) AS requests, coalesce(w.errors, 0) AS errors, w.p,
           (SELECT ${sql.unsafe(epochMs("max(e.ts)"))} FROM log_events e WHERE e.service_id = s.id AND e.ts <= ${until}) AS last_event_ms
    FROM services s
    LEFT JOIN LATERAL (
      SELECT count(*)::int AS requests,
             (count(*) FILTER (WHERE ${sql.unsafe(IS_ERROR_SQL)}))::int AS errors,
             percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) AS p
      FROM log_events
      WHERE service_id = s.id AND ts > ${from} AND ts <= ${until}
    ) w ON true
    ${names ? sql`WHERE s.name = ANY(${names}::text[])` : sql``}
    ORDER BY s.name`;
  return rows.map((r) => ({
    serviceId: r.service_id,
    service: r.service,
    ownerTeam: r.owner_team,
    tier: r.tier,
    type: r.type,
    thresholds: r.thresholds,
    requests: r.requests,
    errors: r.errors,
    p50: r.p?.[0] ?? null,
    p95: r.p?.[1] ?? null,
    p99: r.p?.[2] ?? null,
    lastEventAt: r.last_event_ms === null ? null : new Date(r.last_event_ms),
  }));
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
