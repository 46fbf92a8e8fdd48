import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import * as schema from "./schema.ts";

export type Sql = postgres.Sql;
export type Db = ReturnType<typeof createDb>["db"];

export type DbOptions = {
  max?: number;
  /** Shown in pg_stat_activity, so an operator can tell API from controller connections. */
  applicationName?: string;
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
    connection: { application_name: options.applicationName ?? "failsight", TimeZone: "UTC" },
  });
  const db = drizzle(sql, { schema });
  return { sql, db };
}

/** Epoch milliseconds of a timestamptz expression, as a float8 postgres.js returns as a number. */
export const epochMs = (expression: string) => `(extract(epoch FROM ${expression}) * 1000)::float8`;
