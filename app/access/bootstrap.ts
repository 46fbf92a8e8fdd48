import type { Sql } from "../db/client.ts";
import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { log } from "../log.ts";
import { hasUsableAdminKey, installUserKey } from "./api-keys.ts";
import { generateKey, hashSecret, parseKey } from "./key-format.ts";
import { ensureUser } from "./repository.ts";

/**
 * A fresh install has no keys, so nobody could create one. On start, if no admin key
 * exists, one is made for a user `admin`: the key from FAILSIGHT_ADMIN_KEY when given (the
 * chart passes one from a Secret), otherwise a new one, handed to `announce` this once.
 */
export async function bootstrapAdmin(sql: Sql, fromEnv: string | undefined, announce: (key: string) => void): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.bootstrapAdmin})`; // replicas starting together make one
    const db = tx as unknown as Sql;
    if (await hasUsableAdminKey(db)) return;
    const parsed = fromEnv ? parseKey(fromEnv) : undefined;
    const fresh = parsed ? undefined : generateKey();
    const userId = await ensureUser(db, "admin", "admin");
    await installUserKey(db, userId, "bootstrap admin key", parsed ? { prefix: parsed.prefix, secretHash: hashSecret(parsed.secret) } : fresh!);
    if (fresh) announce(fresh.key);
    else log.info({ prefix: parsed!.prefix }, "installed the admin API key from FAILSIGHT_ADMIN_KEY");
  });
}
