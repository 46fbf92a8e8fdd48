import type { Sql } from "../db/client.ts";

// audit_log, written and read here only. It is append-only (migrations/0003): no role but
// the owner can change or remove an entry.
import { roleOf, type Actor } from "../domain/actor.ts";

/** One request as the audit trail keeps it: who (the actor, or none for a refused key), what, and the outcome. */
export type AuditEntry = {
  method: string;
  path: string;
  /** The route template, e.g. `/services/:name`; undefined when no route matched. */
  route: string | undefined;
  status: number;
  filters: Record<string, unknown>;
  rowCount: number;
  /** The prefix of the key sent, when the request was refused before an actor was known. */
  keyPrefix?: string;
};

/**
 * An entry's columns but its row count, each with its type, in the order entryValues gives
 * them: for a statement that writes its own entry with the rows it read (GET /logs, see
 * logs/repository.ts), and for recordRequest.
 */
export const ENTRY_COLUMNS = [
  ["user_id", "integer"],
  ["key_prefix", "text"],
  ["role", "text"],
  ["method", "text"],
  ["path", "text"],
  ["route", "text"],
  ["status", "smallint"],
  ["filters", "jsonb"],
] as const;

/** An entry's values but its row count, in ENTRY_COLUMNS' order. */
export type EntryValues = (string | number | null)[];

/**
 * What an entry stores but its row count, in ENTRY_COLUMNS' order. Cursors are left out of
 * the filters (they repeat the filters and are long).
 */
export function entryValues(actor: Actor | undefined, entry: Omit<AuditEntry, "rowCount">): EntryValues {
  const { cursor: _cursor, ...kept } = entry.filters;
  const keyPrefix = actor === undefined ? (entry.keyPrefix ?? null) : "keyPrefix" in actor ? actor.keyPrefix : null;
  return [actor?.kind === "user" ? actor.userId : null, keyPrefix, actor ? roleOf(actor) : "anonymous", entry.method, entry.path, entry.route ?? null, entry.status, JSON.stringify(kept)];
}

const INSERT_ENTRY = `INSERT INTO audit_log (${ENTRY_COLUMNS.map(([name]) => name).join(", ")}, row_count)
  VALUES (${ENTRY_COLUMNS.map(([, type], i) => `$${i + 1}::${type}`).join(", ")}, $${ENTRY_COLUMNS.length + 1}::integer)`;

/**
 * Appends one entry, on the caller's transaction: a read of logs is recorded in the read's
 * own transaction, so a read that could not be recorded returns nothing. audit_log is
 * append-only (migrations/0003): no role but the owner can change or remove an entry.
 */
export async function recordRequest(sql: Sql, actor: Actor | undefined, entry: AuditEntry): Promise<void> {
  await sql.unsafe(INSERT_ENTRY, [...entryValues(actor, entry), entry.rowCount]);
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
