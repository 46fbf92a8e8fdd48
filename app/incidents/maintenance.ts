import type { Sql } from "../db/client.ts";
import { epochMs } from "../db/client.ts";

export type MaintenanceWindow = { id: number; title: string; description: string | null; startsAt: Date; endsAt: Date; services: string[] };

type Row = { id: number; title: string; description: string | null; starts_ms: number; ends_ms: number; services: string[] };
const toWindow = (r: Row): MaintenanceWindow => ({ id: r.id, title: r.title, description: r.description, startsAt: new Date(r.starts_ms), endsAt: new Date(r.ends_ms), services: r.services });

/**
 * Declares a window over `serviceIds`. The row's id is drawn first: the window is visible
 * (and so returnable) only once a link to a service the caller sees exists, which the row
 * policies check on each link (migrations/0016).
 */
export async function createMaintenance(sql: Sql, w: { title: string; description?: string | undefined; startsAt: Date; endsAt: Date }, serviceIds: number[]): Promise<number> {
  const [drawn] = await sql<{ id: number }[]>`SELECT nextval('maintenance_windows_id_seq')::int AS id`;
  const id = drawn!.id;
  await sql`INSERT INTO maintenance_windows (id, title, description, starts_at, ends_at) VALUES (${id}, ${w.title}, ${w.description ?? null}, ${w.startsAt.toISOString()}, ${w.endsAt.toISOString()})`;
  await sql`INSERT INTO maintenance_services (window_id, service_id) SELECT ${id}, s FROM unnest(${serviceIds}::int[]) AS s`;
  return id;
}

/** Windows the caller may see that end after `after` (all of them without it), with the services of each it may see. */
export async function listMaintenance(sql: Sql, options: { endingAfter?: Date; id?: number; services?: string[] } = {}): Promise<MaintenanceWindow[]> {
  const rows = await sql<Row[]>`
    SELECT w.id, w.title, w.description, ${sql.unsafe(epochMs("w.starts_at"))} AS starts_ms, ${sql.unsafe(epochMs("w.ends_at"))} AS ends_ms,
           array_agg(s.name ORDER BY s.name) AS services
    FROM maintenance_windows w JOIN maintenance_services l ON l.window_id = w.id JOIN services s ON s.id = l.service_id
    WHERE true ${options.endingAfter ? sql`AND w.ends_at > ${options.endingAfter.toISOString()}` : sql``}
      ${options.id !== undefined ? sql`AND w.id = ${options.id}` : sql``}
      ${options.services ? sql`AND s.name = ANY(${options.services}::text[])` : sql``}
    GROUP BY w.id ORDER BY w.starts_at, w.id`;
  return rows.map(toWindow);
}

/** The windows on at `at`, by service name (the first of several, by start). */
export async function activeMaintenance(sql: Sql, at: Date, services?: string[]): Promise<Map<string, MaintenanceWindow>> {
  const on = (await listMaintenance(sql, { endingAfter: at, ...(services ? { services } : {}) })).filter((w) => w.startsAt <= at);
  const byService = new Map<string, MaintenanceWindow>();
  for (const w of on) for (const s of w.services) if (!byService.has(s)) byService.set(s, w);
  return byService;
}

/** Ends a window now (or drops one not started yet); false when the caller may not. */
export async function endMaintenance(sql: Sql, id: number, at: Date): Promise<boolean> {
  const dropped = await sql`DELETE FROM maintenance_windows WHERE id = ${id} AND starts_at > ${at.toISOString()}`;
  if (dropped.count) return true;
  const ended = await sql`UPDATE maintenance_windows SET ends_at = greatest(starts_at + interval '1 second', ${at.toISOString()}::timestamptz) WHERE id = ${id} AND ends_at > ${at.toISOString()}`;
  return ended.count > 0;
}
