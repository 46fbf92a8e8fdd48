import type { Sql } from "../db/client.ts";
import { epochMs } from "../db/client.ts";
import type { CheckOutcome, PingKind } from "../domain/vocabulary.ts";
import { checkVerdict } from "./check-verdict.ts";
import { heartbeatVerdict } from "./heartbeat-verdict.ts";
import type { Verdict } from "./verdict.ts";

const at = (ms: number | null) => (ms === null ? null : new Date(ms));

/**
 * What the checks and heartbeats of the services the caller may see say now, by service id
 * (row-level security filters both tables as it does their services). Two small reads,
 * sent together on the caller's transaction.
 */
export async function readVerdicts(sql: Sql, now: Date, names?: string[]): Promise<Map<number, Verdict[]>> {
  const only = names ? sql`AND service_id IN (SELECT id FROM services WHERE name = ANY(${names}::text[]))` : sql``;
  const [beats, checks] = await Promise.all([
    sql<{ service_id: number; period_seconds: number; grace_seconds: number; created_ms: number; last_ping_ms: number | null; last_ping_kind: PingKind | null; last_success_ms: number | null }[]>`
      SELECT service_id, period_seconds, grace_seconds, ${sql.unsafe(epochMs("created_at"))} AS created_ms, ${sql.unsafe(epochMs("last_ping_at"))} AS last_ping_ms,
             last_ping_kind, ${sql.unsafe(epochMs("last_success_at"))} AS last_success_ms
      FROM heartbeats WHERE true ${only}`,
    sql<{ service_id: number; name: string; interval_seconds: number; timeout_ms: number; last_run_ms: number | null; last_outcome: CheckOutcome | null; last_message: string | null }[]>`
      SELECT service_id, name, interval_seconds, timeout_ms, ${sql.unsafe(epochMs("last_run_at"))} AS last_run_ms, last_outcome, last_message
      FROM checks WHERE true ${only} ORDER BY name`,
  ]);
  const verdicts = new Map<number, Verdict[]>();
  const add = (serviceId: number, verdict: Verdict | undefined) => {
    if (verdict) verdicts.set(serviceId, [...(verdicts.get(serviceId) ?? []), verdict]);
  };
  for (const b of beats) {
    add(
      b.service_id,
      heartbeatVerdict(
        { periodSeconds: b.period_seconds, graceSeconds: b.grace_seconds, createdAt: new Date(b.created_ms), lastPingAt: at(b.last_ping_ms), lastPingKind: b.last_ping_kind, lastSuccessAt: at(b.last_success_ms) },
        now,
      ),
    );
  }
  for (const c of checks) {
    add(c.service_id, checkVerdict({ name: c.name, intervalSeconds: c.interval_seconds, timeoutMs: c.timeout_ms, lastRunAt: at(c.last_run_ms), lastOutcome: c.last_outcome, lastMessage: c.last_message }, now));
  }
  return verdicts;
}
