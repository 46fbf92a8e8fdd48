import { epochMs, type Sql } from "../db/client.ts";
import type { CheckSpec } from "../domain/check-spec.ts";
import type { CheckKind, CheckOutcome, CheckSource } from "../domain/vocabulary.ts";
import { MAX_RETRY_DELAY_MS } from "./confirm.ts";
import type { ProbeResult } from "./probes/probe-result.ts";

// What a check runner reads and writes, in plain SQL: the controller runs one too, and
// loads no ORM (its memory budget is 100 MiB).

/** A check a runner has taken to probe, and when (its next run is due an interval later). */
export type DueCheck = { claimedAt: Date; id: number; name: string; service: string; kind: CheckKind; spec: CheckSpec; intervalSeconds: number; timeoutMs: number; lastOutcome: CheckOutcome | null };

/**
 * Takes up to `limit` checks of `source` that are due, in one statement: any number of
 * runners (API replicas) take each due check once, a locked row is skipped, not waited
 * for. The next run is pushed past the longest the probe and its retry can take (a lease:
 * a runner that dies holds it no longer); recording the result sets the real schedule.
 * `namePrefix` keeps a runner to its own (a controller to its namespace's). In Failsight's
 * own scope.
 */
export async function claimDueChecks(sql: Sql, source: CheckSource, limit: number, skip: readonly number[], namePrefix = ""): Promise<DueCheck[]> {
  if (limit <= 0) return [];
  const rows = await sql<{ claimed_ms: number; id: number; name: string; service: string; kind: CheckKind; spec: CheckSpec; interval_seconds: number; timeout_ms: number; last_outcome: CheckOutcome | null }[]>`
    UPDATE checks c SET next_run_at = now() + make_interval(secs => c.interval_seconds + (2 * c.timeout_ms + ${MAX_RETRY_DELAY_MS}) / 1000.0)
    FROM services s
    WHERE s.id = c.service_id AND c.id IN (
      SELECT id FROM checks WHERE source = ${source} AND next_run_at <= now() AND id <> ALL(${skip as number[]}::int[])
        AND starts_with(name, ${namePrefix})
      ORDER BY next_run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING ${sql.unsafe(epochMs("now()"))} AS claimed_ms, c.id, c.name, s.name AS service, c.kind, c.spec, c.interval_seconds, c.timeout_ms, c.last_outcome`;
  return rows.map((r) => ({ claimedAt: new Date(r.claimed_ms), id: r.id, name: r.name, service: r.service, kind: r.kind, spec: r.spec, intervalSeconds: r.interval_seconds, timeoutMs: r.timeout_ms, lastOutcome: r.last_outcome }));
}

/** The last confirmed result, kept on the check for /status and the list; the next run is due an interval after this one was taken. */
export async function recordCheckResult(sql: Sql, check: Pick<DueCheck, "id" | "claimedAt" | "intervalSeconds">, result: ProbeResult, at: Date): Promise<void> {
  const due = new Date(check.claimedAt.getTime() + check.intervalSeconds * 1000).toISOString();
  await sql`
    UPDATE checks SET last_run_at = ${at.toISOString()}, last_outcome = ${result.outcome}, last_latency_ms = ${result.latencyMs ?? null},
           last_error_code = ${result.errorCode ?? null}, last_message = ${result.message}, next_run_at = ${due}
    WHERE id = ${check.id}`;
}
