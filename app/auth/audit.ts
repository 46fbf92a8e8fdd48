import type { Sql } from "../db/client.ts";
import type { Actor } from "./actor.ts";
import { roleOf } from "./actor.ts";

/** Appends who read logs, with which filters and how many rows, in the read's own transaction. */
export async function recordRead(sql: Sql, actor: Actor, method: string, path: string, filters: Record<string, unknown>, rowCount: number): Promise<void> {
  const { cursor: _cursor, ...kept } = filters;
  await sql`
    INSERT INTO audit_log (user_id, key_prefix, role, method, path, filters, row_count)
    VALUES (${actor.kind === "user" ? actor.userId : null}, ${actor.kind === "system" ? null : actor.keyPrefix}, ${roleOf(actor)},
            ${method}, ${path}, ${JSON.stringify(kept)}::jsonb, ${rowCount})`;
}
