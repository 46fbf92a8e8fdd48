import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import * as schema from "./schema.ts";

export type Sql = postgres.Sql;
/** A transaction's connection: what request handlers get from asActor. */
export type Tx = postgres.TransactionSql;
export type Db = ReturnType<typeof createDb>["db"];

export type DbOptions = {
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell API from controller connections. */
  applicationName?: string;
  /**
   * Start every connection in Failsight's system scope, which row-level security lets see
   * everything: for tools and tests that check the database directly. The API's pool never
   * does; each request sets its own scope (asActor).
   */
  systemScope?: boolean;
};

/**
 * One pool for drizzle and raw SQL alike. Beware: drizzle's postgres-js driver replaces the
 * client's date serializers and parsers with identity functions, so raw `sql` queries on
 * this client must pass dates as ISO strings and read timestamps back as text or epoch
 * numbers (see `epochMs`), never as Date objects.
 */
export function createDb(url: string, options: DbOptions = {}) {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? "failsight", TimeZone: "UTC", ...(options.systemScope ? { "failsight.scope": "system" } : {}) } as never,
  });
  const db = drizzle(sql, { schema });
  return { sql, db };
}

/** Epoch milliseconds of a timestamptz expression, as a float8 postgres.js returns as a number. */
export const epochMs = (expression: string) => `(extract(epoch FROM ${expression}) * 1000)::float8`;
