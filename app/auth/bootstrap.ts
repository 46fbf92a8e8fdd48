import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { generateKey, hashSecret, parseKey } from "./keys.ts";

/**
 * A fresh install has no keys, so nobody could create one. On start, if no admin key
 * exists, one is made for a user `admin`: the key from FAILSIGHT_ADMIN_KEY when given (the
 * chart passes one from a Secret), otherwise a new one, printed to the log this once.
 */
export async function bootstrapAdmin(sql: Sql, fromEnv: string | undefined): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(7240004)`; // replicas starting together make one
    const [existing] = await tx`
      SELECT 1 FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE u.role = 'admin' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) LIMIT 1`;
    if (existing) return;
    const parsed = fromEnv ? parseKey(fromEnv) : undefined;
    const fresh = parsed ? undefined : generateKey();
    const prefix = parsed?.prefix ?? fresh!.prefix;
    const secretHash = parsed ? hashSecret(parsed.secret) : fresh!.secretHash;
    const [user] = await tx<{ id: number }[]>`
      INSERT INTO users (name, role) VALUES ('admin', 'admin')
      ON CONFLICT (name) DO UPDATE SET role = 'admin' RETURNING id`;
    await tx`INSERT INTO api_keys (prefix, secret_hash, name, kind, user_id) VALUES (${prefix}, ${secretHash}, 'bootstrap admin key', 'user', ${user!.id})`;
    if (fresh) log.warn({ key: fresh.key }, "created the first admin API key; it is shown this once: keep it (or set FAILSIGHT_ADMIN_KEY)");
    else log.info({ prefix }, "installed the admin API key from FAILSIGHT_ADMIN_KEY");
  });
}
