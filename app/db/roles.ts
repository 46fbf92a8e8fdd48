import type { Sql } from "./client.ts";

/** The group the API's login role belongs to; its grants are in migrations/0007. */
const RUNTIME_GROUP = "failsight_runtime";

/**
 * Makes (or updates the password of) a login role for the API, member of failsight_runtime,
 * owning nothing. Needs a superuser or CREATEROLE connection: `npm start`'s embedded server,
 * the test set-up and the bench; in a cluster the CloudNativePG chart does the same with
 * managed roles. Concurrent callers (two test runs on one server) may race to create the
 * same role: the loser finds it made.
 */
export async function ensureRuntimeLogin(superuser: Sql, login: string, password: string): Promise<void> {
  const quoted = `"${login.replace(/"/g, '""')}"`;
  const literal = `'${password.replace(/'/g, "''")}'`;
  const create = async (statement: string) => superuser.unsafe(statement).catch((e: { code?: string }) => (e.code === "42710" || e.code === "23505" ? undefined : Promise.reject(e)));
  if (!(await superuser`SELECT 1 FROM pg_roles WHERE rolname = ${RUNTIME_GROUP}`).length) await create(`CREATE ROLE ${RUNTIME_GROUP} NOLOGIN`);
  if (!(await superuser`SELECT 1 FROM pg_roles WHERE rolname = ${login}`).length) await create(`CREATE ROLE ${quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
  await superuser.unsafe(`ALTER ROLE ${quoted} PASSWORD ${literal}`);
  await superuser.unsafe(`GRANT ${RUNTIME_GROUP} TO ${quoted}`);
}

/** Whether this connection's role owns Failsight's tables (or acts as their owner). */
export async function ownsTables(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ owns: boolean }[]>`SELECT failsight_is_owner() AS owns`; // migrations/0007
  return row?.owns ?? false;
}

export type ProductionLikeDatabase = { ownerUrl: string; runtimeUrl: string; drop: () => Promise<void> };

/**
 * A throw-away database laid out as production runs it, made through a superuser
 * connection: an ordinary owner role that owns it (and will migrate it) and the API's
 * runtime login. For the benches and the image check, which start entry points on it.
 */
export async function createProductionLikeDatabase(superuser: Sql, superuserUrl: string, name: string, password: string): Promise<ProductionLikeDatabase> {
  await superuser.unsafe(`CREATE ROLE ${name} LOGIN PASSWORD '${password}' NOSUPERUSER NOBYPASSRLS`);
  await superuser.unsafe(`CREATE DATABASE ${name} OWNER ${name}`);
  await ensureRuntimeLogin(superuser, `${name}_api`, password);
  const ownerUrl = Object.assign(new URL(superuserUrl), { pathname: `/${name}`, username: name, password }).toString();
  return {
    ownerUrl,
    runtimeUrl: Object.assign(new URL(ownerUrl), { username: `${name}_api` }).toString(),
    drop: async () => {
      await superuser.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await superuser.unsafe(`DROP ROLE IF EXISTS ${name}_api`);
      await superuser.unsafe(`DROP ROLE IF EXISTS ${name}`);
    },
  };
}
