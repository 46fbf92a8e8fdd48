import type { Sql } from "../db/client.ts";
import type { Actor } from "../domain/actor.ts";
import type { KeyKind, Role } from "../domain/vocabulary.ts";
import { generateKey, hashSecret, parseKey, secretMatches } from "./key-format.ts";

// Every statement on api_keys: what a key is worth on a request, and what admins, the CLI
// and the first start do with keys.

type ResolvedRow = {
  id: number;
  kind: KeyKind;
  secret_hash: string;
  name: string;
  services: string[];
  lenient: boolean;
  expired: boolean;
  revoked: boolean;
  last_used_ms: number | null;
  user_id: number | null;
  user_name: string | null;
  role: Role | null;
};

export type KeyCheck = { ok: true; actor: Extract<Actor, { kind: "user" | "ingest" }> } | { ok: false; reason: string };

/**
 * Who a bearer key acts for, read from api_keys. The API keeps the answer a while
 * (KeyCache); every transaction made for the key checks it still holds (db/scoped.ts).
 */
export async function resolveKey(pool: Sql, bearer: string): Promise<KeyCheck> {
  const parsed = parseKey(bearer);
  if (!parsed) return { ok: false, reason: "not a Failsight API key" };
  const [row] = await pool<ResolvedRow[]>`
    SELECT k.id, k.kind, k.secret_hash, k.name, k.services, k.lenient,
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
  const keyId = row.id;
  if (row.kind === "ingest") return { ok: true, actor: { kind: "ingest", name: row.name, keyPrefix: parsed.prefix, services: row.services, lenient: row.lenient, keyId } };
  if (row.user_id === null || row.role === null) return { ok: false, reason: "key without a user" };
  return { ok: true, actor: { kind: "user", userId: row.user_id, name: row.user_name!, role: row.role, keyPrefix: parsed.prefix, keyId } };
}

/** Whether a key let in earlier still holds: for a route that opens no transaction of its own. */
export async function keyStillHolds(pool: Sql, actor: Actor): Promise<boolean> {
  if ((actor.kind !== "user" && actor.kind !== "ingest") || actor.keyId === undefined) return true;
  const [row] = await pool<{ ok: boolean }[]>`SELECT failsight_key_is_current(${actor.keyId}, ${actor.kind === "user" ? actor.role : "ingest"}) AS ok`;
  return row!.ok;
}

/**
 * Keys verified in the last `ttlMs`, by the bearer text: a request with a known key costs
 * no lookup (a round trip and a SHA-256 compare). Only keys that were good are kept; the
 * transaction check makes a revocation effective at once, and the entry ages out.
 */
export class KeyCache {
  private readonly entries = new Map<string, { check: Extract<KeyCheck, { ok: true }>; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  constructor(ttlMs = 60_000, maxEntries = 10_000) {
    this.ttlMs = ttlMs;
    this.maxEntries = maxEntries;
  }

  async resolve(pool: Sql, bearer: string): Promise<KeyCheck> {
    const now = Date.now();
    const hit = this.entries.get(bearer);
    if (hit && hit.until > now) return hit.check;
    const check = await resolveKey(pool, bearer);
    this.entries.delete(bearer);
    if (check.ok) {
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(bearer, { check, until: now + this.ttlMs });
    }
    return check;
  }

  /** Drops a key whose transaction check failed: its next request is resolved afresh. */
  forget(bearer: string) {
    this.entries.delete(bearer);
  }
}

export type KeyRow = { prefix: string; name: string; kind: KeyKind; user: string | null; services: string[]; lenient: boolean; created_at: string; expires_at: string | null; revoked_at: string | null; last_used_at: string | null };

/** Creates a key and returns it whole: the only time its secret is ever seen. */
export async function createKey(sql: Sql, spec: { name: string; user?: string; services?: string[]; expiresInDays?: number; lenient?: boolean }): Promise<(KeyRow & { key: string }) | undefined> {
  const fresh = generateKey();
  const kind = spec.user ? "user" : "ingest";
  const rows = await sql`
    INSERT INTO api_keys (prefix, secret_hash, name, kind, user_id, services, expires_at, lenient)
    SELECT ${fresh.prefix}, ${fresh.secretHash}, ${spec.name}, ${kind}::api_key_kind,
           ${spec.user ? sql`(SELECT id FROM users WHERE name = ${spec.user})` : sql`NULL`}, ${spec.services ?? []}::text[],
           ${spec.expiresInDays ? sql`now() + make_interval(days => ${spec.expiresInDays})` : sql`NULL`}, ${spec.lenient === true}
    WHERE ${spec.user ? sql`EXISTS (SELECT 1 FROM users WHERE name = ${spec.user})` : sql`true`}
    RETURNING id`;
  if (!rows.length) return undefined;
  return { ...(await listKeys(sql, fresh.prefix))[0]!, key: fresh.key };
}

export async function listKeys(sql: Sql, prefix?: string): Promise<KeyRow[]> {
  return sql<KeyRow[]>`
    SELECT k.prefix, k.name, k.kind, u.name AS "user", k.services, k.lenient,
           to_json(k.created_at)#>>'{}' AS created_at, to_json(k.expires_at)#>>'{}' AS expires_at,
           to_json(k.revoked_at)#>>'{}' AS revoked_at, to_json(k.last_used_at)#>>'{}' AS last_used_at
    FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
    ${prefix ? sql`WHERE k.prefix = ${prefix}` : sql``} ORDER BY k.created_at, k.id`;
}

export async function revokeKey(sql: Sql, prefix: string): Promise<KeyRow | undefined> {
  const rows = await sql`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE prefix = ${prefix} RETURNING id`;
  return rows.length ? (await listKeys(sql, prefix))[0] : undefined;
}


/** Whether any admin holds a key that works now: a fresh install has none. */
export async function hasUsableAdminKey(sql: Sql): Promise<boolean> {
  const [row] = await sql`
    SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id
    WHERE u.role = 'admin' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) LIMIT 1`;
  return row !== undefined;
}

/** Stores a key whose secret is already known (FAILSIGHT_ADMIN_KEY, or one just generated) for a user. */
export async function installUserKey(sql: Sql, userId: number, name: string, key: { prefix: string; secretHash: string }): Promise<void> {
  await sql`INSERT INTO api_keys (prefix, secret_hash, name, kind, user_id) VALUES (${key.prefix}, ${key.secretHash}, ${name}, 'user', ${userId})`;
}
