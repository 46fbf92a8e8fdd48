import type { Sql } from "../db/client.ts";

// SQL readers: database login roles (Grafana's PostgreSQL datasource, psql) that read as one
// team. The role itself is made by whoever may create roles (the chart's CloudNativePG
// managed roles, or a DBA); Failsight's owner registers it: a row in sql_readers, which the
// policies read (migrations/0007), and SELECT on the three parent tables, never on
// partitions.

const TABLES = ["services", "log_events", "log_rollups", "status_events"];
const quote = (role: string) => `"${role.replace(/"/g, '""')}"`;

/** Registers `role` to read as `team`; false when the role or the team does not exist. Runs as the owner. */
export async function registerSqlReader(owner: Sql, role: string, team: string): Promise<boolean> {
  const [ok] = await owner`SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${role}) AND EXISTS (SELECT 1 FROM teams WHERE name = ${team}) AS ok`;
  if (!ok?.ok) return false;
  await owner.begin(async (tx) => {
    await tx`INSERT INTO sql_readers (role_name, team) VALUES (${role}, ${team}) ON CONFLICT (role_name) DO UPDATE SET team = EXCLUDED.team`;
    await tx.unsafe(`GRANT USAGE ON SCHEMA public TO ${quote(role)}`);
    await tx.unsafe(`GRANT SELECT ON ${TABLES.join(", ")} TO ${quote(role)}`);
  });
  return true;
}

export async function listSqlReaders(owner: Sql) {
  return owner<{ role: string; team: string }[]>`SELECT role_name AS role, team FROM sql_readers ORDER BY role_name`;
}

/** Takes the registration and the grants back; the role itself stays (it is not Failsight's). */
export async function removeSqlReader(owner: Sql, role: string): Promise<boolean> {
  return owner.begin(async (tx) => {
    const removed = await tx`DELETE FROM sql_readers WHERE role_name = ${role} RETURNING role_name`;
    if (removed.length) await tx.unsafe(`REVOKE SELECT ON ${TABLES.join(", ")} FROM ${quote(role)}`);
    return removed.length === 1;
  });
}
