import type { Sql } from "../db/client.ts";
import { epochMs } from "../db/client.ts";
import type { IncidentStatus } from "../domain/vocabulary.ts";

type IncidentUpdate = { status: IncidentStatus; message: string; at: Date };
export type Incident = { id: number; title: string; status: IncidentStatus; startedAt: Date; resolvedAt: Date | null; services: string[]; updates: IncidentUpdate[] };

/** Opens an incident over `serviceIds` with its first update; the id is drawn first, as for maintenance windows. */
export async function createIncident(sql: Sql, i: { title: string; status: IncidentStatus; message: string }, serviceIds: number[]): Promise<number> {
  const [drawn] = await sql<{ id: number }[]>`SELECT nextval('incidents_id_seq')::int AS id`;
  const id = drawn!.id;
  await sql`INSERT INTO incidents (id, title, status, resolved_at) VALUES (${id}, ${i.title}, ${i.status}, ${i.status === "resolved" ? sql`now()` : null})`;
  await sql`INSERT INTO incident_services (incident_id, service_id) SELECT ${id}, s FROM unnest(${serviceIds}::int[]) AS s`;
  await sql`INSERT INTO incident_updates (incident_id, status, message) VALUES (${id}, ${i.status}, ${i.message})`;
  return id;
}

/** Posts an update and moves the incident to its status (resolved: closed now; anything else: open again). False when the caller may not. */
export async function updateIncident(sql: Sql, id: number, update: { status: IncidentStatus; message: string }): Promise<boolean> {
  const changed = await sql`
    UPDATE incidents SET status = ${update.status}, resolved_at = CASE WHEN ${update.status} = 'resolved' THEN coalesce(resolved_at, now()) END
    WHERE id = ${id}`;
  if (!changed.count) return false;
  await sql`INSERT INTO incident_updates (incident_id, status, message) VALUES (${id}, ${update.status}, ${update.message})`;
  return true;
}

/** Incidents the caller may see: open ones and those resolved after `resolvedAfter`, newest first, with their updates. */
export async function listIncidents(sql: Sql, options: { resolvedAfter?: Date; id?: number; services?: string[] } = {}): Promise<Incident[]> {
  const rows = await sql<{ id: number; title: string; status: IncidentStatus; started_ms: number; resolved_ms: number | null; services: string[]; updates: { status: IncidentStatus; message: string; at_ms: number }[] }[]>`
    SELECT i.id, i.title, i.status, ${sql.unsafe(epochMs("i.started_at"))} AS started_ms, ${sql.unsafe(epochMs("i.resolved_at"))} AS resolved_ms,
           (SELECT array_agg(s.name ORDER BY s.name) FROM incident_services l JOIN services s ON s.id = l.service_id WHERE l.incident_id = i.id) AS services,
           (SELECT coalesce(json_agg(json_build_object('status', u.status, 'message', u.message, 'at_ms', ${sql.unsafe(epochMs("u.at"))}) ORDER BY u.at DESC, u.id DESC), '[]')
            FROM incident_updates u WHERE u.incident_id = i.id) AS updates
    FROM incidents i
    WHERE true ${options.resolvedAfter ? sql`AND (i.resolved_at IS NULL OR i.resolved_at > ${options.resolvedAfter.toISOString()})` : sql``}
      ${options.id !== undefined ? sql`AND i.id = ${options.id}` : sql``}
      ${options.services ? sql`AND i.id IN (SELECT l.incident_id FROM incident_services l JOIN services s ON s.id = l.service_id WHERE s.name = ANY(${options.services}::text[]))` : sql``}
    ORDER BY i.started_at DESC, i.id DESC`;
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    status: r.status,
    startedAt: new Date(r.started_ms),
    resolvedAt: r.resolved_ms === null ? null : new Date(r.resolved_ms),
    services: r.services ?? [],
    updates: r.updates.map((u) => ({ status: u.status, message: u.message, at: new Date(u.at_ms) })),
  }));
}
