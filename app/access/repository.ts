import type { Sql } from "../db/client.ts";
import type { GrantAccess, Role } from "../domain/vocabulary.ts";

// Users, teams and grants: the dimensions access control is made of. Reached by
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

export type GrantRow = { id: number; service: string; team: string | null; user: string | null; access: GrantAccess };

/** A grant of one service to a team or a user; undefined when one of them does not exist. */
export async function createGrant(sql: Sql, service: string, to: { team?: string; user?: string }, access: GrantAccess): Promise<GrantRow | undefined> {
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

/** The id of user `name`, made (or given `role`) if need be. */
export async function ensureUser(sql: Sql, name: string, role: Role): Promise<number> {
  const [user] = await sql<{ id: number }[]>`
    INSERT INTO users (name, role) VALUES (${name}, ${role})
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role RETURNING id`;
  return user!.id;
}
