import type { Sql } from "../db/client.ts";
import type { Actor, Role } from "./actor.ts";
import { parseKey, secretMatches } from "./keys.ts";

type KeyRow = {
  id: number;
  kind: "user" | "ingest";
  secret_hash: string;
  name: string;
  services: string[];
  expired: boolean;
  revoked: boolean;
  last_used_ms: number | null;
  user_id: number | null;
  user_name: string | null;
  role: Role | null;
};

export type KeyCheck = { ok: true; actor: Exclude<Actor, { kind: "system" }> } | { ok: false; reason: string };

/**
 * Who a bearer key acts for. Read fresh on every request: a revoked or expired key fails
 * on the next call, with no cache to wait out.
 */
export async function resolveKey(pool: Sql, bearer: string): Promise<KeyCheck> {
  const parsed = parseKey(bearer);
  if (!parsed) return { ok: false, reason: "not a Failsight API key" };
  const [row] = await pool<KeyRow[]>`
    SELECT k.id, k.kind, k.secret_hash, k.name, k.services,
           k.expires_at IS NOT NULL AND k.expires_at <= now() AS expired,
           k.revoked_at IS NOT NULL AS revoked,
           (extract(epoch FROM k.last_used_at) * 1000)::float8 AS last_used_ms,
           u.id AS user_id, u.name AS user_name, u.role
    FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
    WHERE k.prefix = ${parsed.prefix}`;
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { ok: false, reason: "unknown key" };
  if (row.revoked) return { ok: false, reason: "revoked key" };
  if (row.expired) return { ok: false, reason: "expired key" };
  // Written at most once a minute per key, off the request's path.
  if (row.last_used_ms === null || Date.now() - row.last_used_ms > 60_000) {
    void pool`UPDATE api_keys SET last_used_at = now() WHERE id = ${row.id}`.catch(() => {});
  }
  if (row.kind === "ingest") return { ok: true, actor: { kind: "ingest", name: row.name, keyPrefix: parsed.prefix, services: row.services } };
  if (row.user_id === null || row.role === null) return { ok: false, reason: "key without a user" };
  return { ok: true, actor: { kind: "user", userId: row.user_id, name: row.user_name!, role: row.role, keyPrefix: parsed.prefix } };
}
