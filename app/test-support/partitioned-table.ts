import { randomUUID } from "node:crypto";
import type { Sql } from "../db/client.ts";

/**
 * A fresh table shaped like log_events with only a DEFAULT partition, so partition tests
 * never disturb log_events, which other test files use at the same time.
 */
export async function freshPartitionedTable(sql: Sql): Promise<string> {
  const table = `pt_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  await sql.unsafe(`CREATE TABLE ${table} (LIKE log_events INCLUDING DEFAULTS INCLUDING INDEXES) PARTITION BY RANGE (ts)`);
  await sql.unsafe(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
  return table;
}

export async function attachedPartitions(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ${table}::regclass ORDER BY 1`;
  return rows.map((r) => r.name as string);
}
