import type { Sql } from "../db/client.ts";
import type { Actor } from "./actor.ts";
import { roleOf } from "./actor.ts";

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
 * Appends one entry, on the caller's transaction: a read of logs is recorded in the read's
 * own transaction, so a read that could not be recorded returns nothing. Cursors are left
 * out of the filters (they repeat the filters and are long). audit_log is append-only
 * (migrations/0003): no role but the owner can change or remove an entry.
 */
export async function recordRequest(sql: Sql, actor: Actor | undefined, entry: AuditEntry): Promise<void> {
  const { cursor: _cursor, ...kept } = entry.filters;
  const keyPrefix = actor === undefined ? (entry.keyPrefix ?? null) : actor.kind === "system" ? null : actor.keyPrefix;
  await sql`
    INSERT INTO audit_log (user_id, key_prefix, role, method, path, route, status, filters, row_count)
    VALUES (${actor?.kind === "user" ? actor.userId : null}, ${keyPrefix}, ${actor ? roleOf(actor) : "anonymous"},
            ${entry.method}, ${entry.path}, ${entry.route ?? null}, ${entry.status}, ${JSON.stringify(kept)}::jsonb, ${entry.rowCount})`;
}
