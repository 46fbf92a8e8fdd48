import type { Sql } from "../db/client.ts";
import type { Role } from "../auth/actor.ts";
import { generateKey } from "../auth/keys.ts";

// Users, teams, grants and keys: the dimensions access control is made of. Reached by
// admins through /admin and by the CLI; no row-level security on these tables, so the API
// checks the admin role before any of this runs.

export type UserRow = { id: number; name: string; role: Role; teams: string[]; created_at: string };

export async function createUser(sql: Sql, name: string, role: Role, teams: string[]): Promise<UserRow | undefined> {
  const [user] = await sql<{ id: number }[]>`INSERT INTO users (name, role) VALUES (${name}, ${role}) ON CONFLICT (name) DO NOTHING RETURNING id`;
  if (!user) return undefined;
  for (const team of teams) await addMember(sql, team, name);
  return (await listUsers(sql, name))[0];
}

export async function listUsers(sql: Sql, name?: string): Promise<UserRow[]> {
  return sql<UserRow[]>`
    SELECT u.id, u.name, u.role, to_json(u.created_at)#>>'{}' AS created_at,
           coalesce(array_agg(t.name ORDER BY t.name) FILTER (WHERE t.name IS NOT NULL), '{}') AS teams
    FROM users u LEFT JOIN team_members m ON m.user_id = u.id LEFT JOIN teams t ON t.id = m.team_id
    ${name ? sql`WHERE u.name = ${name}` : sql``}
    GROUP BY u.id ORDER BY u.name`;
}

export async function createTeam(sql: Sql, name: string): Promise<boolean> {
  const rows = await sql`INSERT INTO teams (name) VALUES (${name}) ON CONFLICT (name) DO NOTHING RETURNING id`;
  return rows.length === 1;
}

export async function listTeams(sql: Sql) {
  return sql<{ name: string; members: string[] }[]>`
    SELECT t.name, coalesce(array_agg(u.name ORDER BY u.name) FILTER (WHERE u.name IS NOT NULL), '{}') AS members
    FROM teams t LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
    GROUP BY t.id ORDER BY t.name`;
}

/** False when the team or the user does not exist. */
export async function addMember(sql: Sql, team: string, user: string): Promise<boolean> {
  const rows = await sql`
    INSERT INTO team_members (team_id, user_id)
    SELECT t.id, u.id FROM teams t, users u WHERE t.name = ${team} AND u.name = ${user}
    ON CONFLICT DO NOTHING RETURNING team_id`;
  if (rows.length) return true;
  const [exists] = await sql`SELECT 1 FROM teams t, users u WHERE t.name = ${team} AND u.name = ${user}`;
  return Boolean(exists);
}

export async function removeMember(sql: Sql, team: string, user: string): Promise<boolean> {
  const rows = await sql`
    DELETE FROM team_members m USING teams t, users u
    WHERE m.team_id = t.id AND m.user_id = u.id AND t.name = ${team} AND u.name = ${user} RETURNING m.team_id`;
  return rows.length === 1;
}

export type GrantRow = { id: number; service: string; team: string | null; user: string | null; access: "read" | "write" };

/** A grant of one service to a team or a user; undefined when one of them does not exist. */
export async function createGrant(sql: Sql, service: string, to: { team?: string; user?: string }, access: "read" | "write"): Promise<GrantRow | undefined> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO grants (service_id, team_id, user_id, access)
    SELECT s.id, (SELECT id FROM teams WHERE name = ${to.team ?? null}), (SELECT id FROM users WHERE name = ${to.user ?? null}), ${access}::grant_access
    FROM services s WHERE s.name = ${service}
      AND (${to.team ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM teams WHERE name = ${to.team ?? null}))
      AND (${to.user ?? null}::text IS NULL OR EXISTS (SELECT 1 FROM users WHERE name = ${to.user ?? null}))
    RETURNING id`;
  return row ? (await listGrants(sql, row.id))[0] : undefined;
}

export async function listGrants(sql: Sql, id?: number): Promise<GrantRow[]> {
  return sql<GrantRow[]>`
    SELECT g.id, s.name AS service, t.name AS team, u.name AS "user", g.access
    FROM grants g JOIN services s ON s.id = g.service_id LEFT JOIN teams t ON t.id = g.team_id LEFT JOIN users u ON u.id = g.user_id
    ${id === undefined ? sql`` : sql`WHERE g.id = ${id}`} ORDER BY g.id`;
}

export async function deleteGrant(sql: Sql, id: number): Promise<boolean> {
  return (await sql`DELETE FROM grants WHERE id = ${id} RETURNING id`).length === 1;
}

export type KeyRow = { prefix: string; name: string; kind: "user" | "ingest"; user: string | null; services: string[]; created_at: string; expires_at: string | null; revoked_at: string | null; last_used_at: string | null };

/** Creates a key and returns it whole: the only time its secret is ever seen. */
export async function createKey(sql: Sql, spec: { name: string; user?: string; services?: string[]; expiresInDays?: number }): Promise<(KeyRow & { key: string }) | undefined> {
  const fresh = generateKey();
  const kind = spec.user ? "user" : "ingest";
  const rows = await sql`
    INSERT INTO api_keys (prefix, secret_hash, name, kind, user_id, services, expires_at)
    SELECT ${fresh.prefix}, ${fresh.secretHash}, ${spec.name}, ${kind}::api_key_kind,
           ${spec.user ? sql`(SELECT id FROM users WHERE name = ${spec.user})` : sql`NULL`}, ${spec.services ?? []}::text[],
           ${spec.expiresInDays ? sql`now() + make_interval(days => ${spec.expiresInDays})` : sql`NULL`}
    WHERE ${spec.user ? sql`EXISTS (SELECT 1 FROM users WHERE name = ${spec.user})` : sql`true`}
    RETURNING id`;
  if (!rows.length) return undefined;
  return { ...(await listKeys(sql, fresh.prefix))[0]!, key: fresh.key };
}

export async function listKeys(sql: Sql, prefix?: string): Promise<KeyRow[]> {
  return sql<KeyRow[]>`
    SELECT k.prefix, k.name, k.kind, u.name AS "user", k.services,
           to_json(k.created_at)#>>'{}' AS created_at, to_json(k.expires_at)#>>'{}' AS expires_at,
           to_json(k.revoked_at)#>>'{}' AS revoked_at, to_json(k.last_used_at)#>>'{}' AS last_used_at
    FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
    ${prefix ? sql`WHERE k.prefix = ${prefix}` : sql``} ORDER BY k.created_at, k.id`;
}

export async function revokeKey(sql: Sql, prefix: string): Promise<KeyRow | undefined> {
  const rows = await sql`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE prefix = ${prefix} RETURNING id`;
  return rows.length ? (await listKeys(sql, prefix))[0] : undefined;
}

export type AuditFilter = { from: Date; to: Date; limit: number; user?: string; role?: string; method?: string; route?: string; status?: { min: number; max: number } };

/** Entries newest first; ids as numbers (bigserial stays below 2^53 for any audit trail that fits a disk). */
export async function readAudit(sql: Sql, f: AuditFilter) {
  return sql<{ id: number; at: string; user: string | null; key_prefix: string | null; role: string; method: string; path: string; route: string | null; status: number | null; filters: Record<string, unknown>; row_count: number }[]>`
    SELECT a.id::float8 AS id, to_json(a.at)#>>'{}' AS at, u.name AS "user", a.key_prefix, a.role, a.method, a.path, a.route, a.status, a.filters, a.row_count
    FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
    WHERE a.at >= ${f.from.toISOString()} AND a.at < ${f.to.toISOString()}
      ${f.user ? sql`AND u.name = ${f.user}` : sql``}
      ${f.role ? sql`AND a.role = ${f.role}` : sql``}
      ${f.method ? sql`AND a.method = ${f.method.toUpperCase()}` : sql``}
      ${f.route ? sql`AND a.route = ${f.route}` : sql``}
      ${f.status ? sql`AND a.status BETWEEN ${f.status.min} AND ${f.status.max}` : sql``}
    ORDER BY a.id DESC LIMIT ${f.limit}`;
}
