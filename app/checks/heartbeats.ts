import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { hashSecret } from "../access/key-format.ts";
import type { Db, Sql } from "../db/client.ts";
import { heartbeats } from "../db/schema.ts";
import type { PingKind } from "../domain/vocabulary.ts";

/** A ping token: 256 random bits, URL-safe; only its SHA-256 is stored. */
const PING_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export type HeartbeatRecord = typeof heartbeats.$inferSelect;

/**
 * Sets a service's heartbeat and issues a new token, which replaces (and so revokes) any
 * earlier one; the last pings are kept. Row-level security decides who may: a caller that
 * may not change the service is refused (42501) by the heartbeats_write policy.
 */
export async function setHeartbeat(db: Db, serviceId: number, periodSeconds: number, graceSeconds: number): Promise<{ token: string; heartbeat: HeartbeatRecord }> {
  const token = randomBytes(32).toString("base64url");
  const tokenHash = hashSecret(token);
  const [heartbeat] = await db
    .insert(heartbeats)
    .values({ serviceId, tokenHash, periodSeconds, graceSeconds })
    .onConflictDoUpdate({ target: heartbeats.serviceId, set: { tokenHash, periodSeconds, graceSeconds } })
    .returning();
  return { token, heartbeat: heartbeat! };
}

export async function getHeartbeat(db: Db, serviceId: number): Promise<HeartbeatRecord | undefined> {
  const [row] = await db.select().from(heartbeats).where(eq(heartbeats.serviceId, serviceId));
  return row;
}

/** Revokes the token and stops watching; false when there was none (or the caller may not). */
export async function deleteHeartbeat(db: Db, serviceId: number): Promise<boolean> {
  const deleted = await db.delete(heartbeats).where(eq(heartbeats.serviceId, serviceId)).returning({ serviceId: heartbeats.serviceId });
  return deleted.length > 0;
}

/**
 * Records a ping and answers the service it is for, or undefined for a token that names no
 * heartbeat (never issued, replaced or deleted). The token is the only credential, so the
 * lookup is the database's (migrations/0014, failsight_heartbeat_ping): the API's role
 * cannot list heartbeats to find one.
 */
export async function recordPing(sql: Sql, token: string, kind: PingKind): Promise<string | undefined> {
  if (!PING_TOKEN.test(token)) return undefined;
  const [row] = await sql<{ service: string }[]>`SELECT service FROM failsight_heartbeat_ping(${hashSecret(token)}, ${kind}::ping_kind)`;
  return row?.service;
}
