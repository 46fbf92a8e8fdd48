import { drizzle } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import type { Actor } from "../domain/actor.ts";
import type { Db, Sql } from "./client.ts";
import { runInScope, type TxSql } from "./scope.ts";

export type { TxSql } from "./scope.ts";

/**
 * One transaction, as postgres.js (`sql`) and as drizzle (`db`, for typed queries).
 * `afterCommit` runs work only once it has committed (caches that must not learn what a
 * rollback undoes).
 */
export type Scoped = { sql: TxSql; db: Db; afterCommit: (run: () => void) => void };

/**
 * runInScope (db/scope.ts) with drizzle beside postgres.js, for the API's repositories.
 */
export function asActor<T>(pool: Sql, actor: Actor, work: (scoped: Scoped) => Promise<T>, options: { waitForFlush?: boolean } = {}): Promise<T> {
  return runInScope(
    pool,
    actor,
    ({ sql, afterCommit, tx }) => {
      // Made on first use: /logs and ingest run postgres.js only, and a drizzle instance is a
      // share of each request's CPU and garbage.
      let db: Db | undefined;
      return work({
        sql,
        afterCommit,
        get db() {
          // drizzle's driver reads (and adjusts) client.options, which a postgres.js transaction
          // does not carry; it shares the pool's, so those are the ones handed over.
          const client = Object.assign(tx, { options: pool.options }) as unknown as postgres.Sql;
          // Without the schema: drizzle re-derives its relational config from the schema on every
          // construction, and only `db.query.*`, which no request uses, needs it; the query
          // builders take their tables from the schema module.
          return (db ??= drizzle(client) as unknown as Db);
        },
      });
    },
    options,
  );
}

/** Row-level security is skipped for superusers and BYPASSRLS roles: serving requests over one would leak. */
export async function bypassesRowSecurity(pool: Sql): Promise<string | undefined> {
  const [row] = await pool<{ name: string; bypass: boolean }[]>`
    SELECT current_user AS name, rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`;
  return row?.bypass ? row.name : undefined;
}
