import { epochMs } from "../db/client.ts";
import type { ExistingPartition } from "./plan.ts";

/** Any postgres.js client: the pool, or a connection reserved for a maintenance run. */
type Query = (strings: TemplateStringsArray, ...values: never[]) => Promise<unknown[]>;
export type SqlLike = { unsafe: (query: string, params?: never[]) => Promise<unknown[]> } & Query;

export type Catalog = {
  /** server_version_num: DETACH ... CONCURRENTLY (and inhdetachpending) exist from 140000. */
  serverVersion: number;
  partitions: (ExistingPartition & { detachPending: boolean })[];
  defaultPartition: string | undefined;
  columns: string[];
  /** Month tables of ours that are not attached but still carry the bounds CHECK made to attach them. */
  stranded: string[];
};

/** The parent's partitions with their bounds, its DEFAULT partition and its columns. */
export async function readCatalog(sql: SqlLike, table: string): Promise<Catalog> {
  const [exists] = (await sql.unsafe(`SELECT to_regclass($1) IS NOT NULL AS ok`, [table] as never[])) as { ok: boolean }[];
  if (!exists?.ok) throw new Error(`table ${table} does not exist`);
  const [version] = (await sql.unsafe(`SELECT current_setting('server_version_num')::int AS v`)) as { v: number }[];
  const serverVersion = version!.v;
  const rows = (await sql.unsafe(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound,
            ${serverVersion >= 140000 ? "i.inhdetachpending" : "false"} AS detach_pending
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table] as never[],
  )) as { name: string; bound: string; detach_pending: boolean }[];
  const columns = (await sql.unsafe(
    `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table] as never[],
  )) as { attname: string }[];
  const partitions = rows.map((r) => ({ name: r.name, ...parseBound(r.bound), detachPending: r.detach_pending }));
  const stranded = (await sql.unsafe(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid AND k.conname = c.relname || '_bounds'
     WHERE c.relkind = 'r' AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = $1::regclass)
       AND c.relname ~ ('^' || $2 || '_p[0-9]{4}_[0-9]{2}$') AND NOT c.relispartition ORDER BY 1`,
    [table, table] as never[],
  )) as { name: string }[];
  return { serverVersion, partitions, defaultPartition: partitions.find((p) => p.isDefault)?.name, columns: columns.map((c) => c.attname), stranded: stranded.map((r) => r.name) };
}

/** First day of each month (UTC) that has rows in the DEFAULT partition. */
export async function readDefaultRowMonths(sql: SqlLike, defaultPartition: string): Promise<Date[]> {
  const rows = (await sql.unsafe(
    `SELECT DISTINCT ${epochMs(`date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)} AS month FROM ${ident(defaultPartition)}`,
  )) as { month: number }[];
  return rows.map((r) => new Date(r.month)).sort((a, b) => a.getTime() - b.getTime());
}

export async function countRows(sql: SqlLike, table: string): Promise<number> {
  const [row] = (await sql.unsafe(`SELECT count(*)::int AS n FROM ${ident(table)}`)) as { n: number }[];
  return row?.n ?? 0;
}

const BOUND = /^FOR VALUES FROM \((.+)\) TO \((.+)\)$/;

/** `FOR VALUES FROM ('2026-11-01 00:00:00+00') TO (MAXVALUE)`, or `DEFAULT`. */
function parseBound(bound: string): { from: Date | null; to: Date | null; isDefault: boolean } {
  if (bound === "DEFAULT") return { from: null, to: null, isDefault: true };
  const match = BOUND.exec(bound);
  if (!match) return { from: null, to: null, isDefault: false };
  return { from: parseLiteral(match[1]!), to: parseLiteral(match[2]!), isDefault: false };
}

function parseLiteral(literal: string): Date | null {
  const m = /^'(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})(?::?(\d{2}))?'$/.exec(literal.trim());
  if (!m) return null; // MINVALUE, MAXVALUE
  return new Date(`${m[1]}T${m[2]}${m[3]}:${m[4] ?? "00"}`);
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
