import type { Sql } from "../db/client.ts";
import { ADVISORY_LOCKS } from "../db/advisory-locks.ts";
import { log } from "../log.ts";
import { hasUsableAdminKey, installUserKey } from "./api-keys.ts";
import { generateKey, hashSecret, parseKey } from "./key-format.ts";
import { addMember, createTeam, ensureUser } from "./repository.ts";

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

/** The user Grafana's Loki datasource reads as. */
export const GRAFANA_USER = "grafana";

/**
 * Installs the key Grafana's Loki datasource sends (FAILSIGHT_GRAFANA_KEY; the chart makes
 * it and provisions the datasource with it), once: for a user `grafana` who is a viewer of
 * `teams` (row-level security shows it their services), or an admin when no team is named.
 * A key already known, revoked or not, is left as it is: revoking it is how it is withdrawn.
 */
export async function bootstrapGrafanaKey(sql: Sql, key: string, teams: string[]): Promise<void> {
  const parsed = parseKey(key);
  if (!parsed) throw new Error("FAILSIGHT_GRAFANA_KEY is not a key (fsk_<8>_<43>)");
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${ADVISORY_LOCKS.bootstrapGrafana})`;
    const db = tx as unknown as Sql;
    const [known] = await db`SELECT 1 FROM api_keys WHERE prefix = ${parsed.prefix}`;
    if (known) return;
    const userId = await ensureUser(db, GRAFANA_USER, teams.length ? "viewer" : "admin");
    for (const team of teams) {
      await createTeam(db, team);
      await addMember(db, team, GRAFANA_USER);
    }
    await installUserKey(db, userId, "Grafana Loki datasource", { prefix: parsed.prefix, secretHash: hashSecret(parsed.secret) });
    log.info({ prefix: parsed.prefix, teams }, `installed Grafana's datasource key for user ${GRAFANA_USER}`);
  });
}
