import type { Sql } from "../db/client.ts";
import { epochMs } from "../db/client.ts";
import { NAMES_PARENT_SPAN } from "../db/schema.ts";
import type { Edge } from "./impact.ts";

export type DependencyEdge = Edge & { declared: boolean; inferredAt: Date | null };

/** Every edge the caller may see (both services visible), by name. */
export async function readEdges(sql: Sql): Promise<DependencyEdge[]> {
  const rows = await sql<{ service: string; depends_on: string; declared: boolean; inferred_ms: number | null }[]>`
    SELECT s.name AS service, d.name AS depends_on, e.declared, ${sql.unsafe(epochMs("e.inferred_at"))} AS inferred_ms
    FROM service_dependencies e JOIN services s ON s.id = e.service_id JOIN services d ON d.id = e.depends_on_id
    ORDER BY s.name, d.name`;
  return rows.map((r) => ({ service: r.service, dependsOn: r.depends_on, declared: r.declared, inferredAt: r.inferred_ms === null ? null : new Date(r.inferred_ms) }));
}

/**
 * Makes `dependsOnIds` the services `serviceId` declares it depends on: edges no longer
 * declared are dropped, or kept as inferred only when traces showed them. In the caller's
 * transaction and scope (the service_dependencies_write policy decides).
 */
export async function setDeclaredDependencies(sql: Sql, serviceId: number, dependsOnIds: number[]): Promise<void> {
  await sql`DELETE FROM service_dependencies WHERE service_id = ${serviceId} AND inferred_at IS NULL AND depends_on_id <> ALL(${dependsOnIds}::int[])`;
  await sql`UPDATE service_dependencies SET declared = false WHERE service_id = ${serviceId} AND declared AND depends_on_id <> ALL(${dependsOnIds}::int[])`;
  if (dependsOnIds.length) {
    await sql`
      INSERT INTO service_dependencies (service_id, depends_on_id, declared)
      SELECT ${serviceId}, d, true FROM unnest(${dependsOnIds}::int[]) AS d
      ON CONFLICT (service_id, depends_on_id) DO UPDATE SET declared = true`;
  }
}

/** The names a service declares it depends on (what PATCH /services set). */
export async function declaredDependencies(sql: Sql, serviceIds: number[]): Promise<Map<number, string[]>> {
  const rows = await sql<{ service_id: number; depends_on: string }[]>`
    SELECT e.service_id, d.name AS depends_on FROM service_dependencies e JOIN services d ON d.id = e.depends_on_id
    WHERE e.declared AND e.service_id = ANY(${serviceIds}::int[]) ORDER BY d.name`;
  const out = new Map<number, string[]>();
  for (const r of rows) out.set(r.service_id, [...(out.get(r.service_id) ?? []), r.depends_on]);
  return out;
}

/** How far from its child's timestamp a parent span is looked for, either way. */
const PARENT_WITHIN = "1 hour";

/**
 * Records the edges traces show among events that arrived in [from, to): an event whose
 * `parent_span_id` attribute names the span of another service's event in the same trace
 * means that service called this one. Failsight's own job (system scope); answers the
 * edges seen. Children are found by arrival (received_at) through an index of only the
 * events that name a parent (NAMES_PARENT_SPAN): a run reads each such event once,
 * whatever its timestamp, and never the events that name none. The trace_id index finds
 * the parents.
 */
export async function inferDependencies(sql: Sql, from: Date, to: Date): Promise<number> {
  await lookUpEachParent(sql);
  return (await inferenceStatement(sql, from, to)).count;
}

/**
 * Plans the parents as a lookup per child, for the rest of the caller's transaction. Under
 * row-level security PostgreSQL expects a run to find tens of thousands of children, and
 * chose to hash them and read every event of every month to probe the hash: 4.2 s for 20
 * children among 8M events, against 1.7 ms looking each one's parent up by trace (#15).
 * There are never enough children for that to be the better plan.
 */
export function lookUpEachParent(sql: Sql) {
  return sql`SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`;
}

/** inferDependencies' statement, unsent (a test explains it). */
export function inferenceStatement(sql: Sql, from: Date, to: Date) {
  return sql`
    INSERT INTO service_dependencies (service_id, depends_on_id, inferred_at)
    SELECT DISTINCT p.service_id, c.service_id, now()
    FROM (
      SELECT service_id, ts, trace_id, attributes->>'parent_span_id' AS parent_span_id FROM log_events
      WHERE received_at >= ${from.toISOString()} AND received_at < ${to.toISOString()} AND ${sql.unsafe(NAMES_PARENT_SPAN)}
    ) c
    JOIN log_events p ON p.trace_id = c.trace_id AND p.span_id = c.parent_span_id
      AND p.ts >= c.ts - ${PARENT_WITHIN}::interval AND p.ts <= c.ts + ${PARENT_WITHIN}::interval
    WHERE p.service_id <> c.service_id
    ON CONFLICT (service_id, depends_on_id) DO UPDATE SET inferred_at = excluded.inferred_at`;
}

/** Inferred edges traces have not shown for `days` are forgotten (declared ones stay). */
export async function forgetInferred(sql: Sql, days: number): Promise<void> {
  await sql`DELETE FROM service_dependencies WHERE NOT declared AND inferred_at < now() - make_interval(days => ${days})`;
  await sql`UPDATE service_dependencies SET inferred_at = NULL WHERE declared AND inferred_at < now() - make_interval(days => ${days})`;
}
