import type { Sql } from "../../db/client.ts";
import { epochMs } from "../../db/client.ts";
import { runInScope } from "../../db/scope.ts";
import { SYSTEM } from "../../domain/actor.ts";
import type { CheckOutcome } from "../../domain/vocabulary.ts";
import { startCheckRunner } from "../../checks/runner.ts";
import { log } from "../../log.ts";
import { ServiceIds } from "../../services/service-ids.ts";
import { statusOf, type KubeClient } from "../machine/kube-client.ts";
import type { ControllerSpec } from "../machine/controller.ts";
import { eventForOutcome, statusForCheck, statusForProblem, type LastResult } from "./reconcile.ts";
import { UPTIME_CHECK_KIND, checkNameOf, checkNamePrefix, desiredCheck, type DesiredCheck, type UptimeCheckObject } from "./resource.ts";

/** A Secret that is missing or unreadable is looked for again this soon. */
const RETRY_SECRET_MS = 30_000;
/** Status is refreshed from the last result at least this often, whatever the interval. */
const MAX_STATUS_AGE_MS = 60_000;

type UptimeCheckOptions = { sql: Sql; kube: KubeClient; namespace: string; identity: string; concurrency: number; reap: boolean };

/**
 * The UptimeCheck controller's syncHandler: keeps the object's check in Failsight's checks
 * (source `kubernetes`), and its status and Events in step with the last confirmed result.
 * The probing is a check runner that only the leader runs (startedLeading/stoppedLeading),
 * so two replicas never probe twice; a deleted object's check goes with it. `reap` also
 * drops checks of objects gone while no replica led (only when this controller sees every
 * object in its namespace: with a label selector, another release's are not its to judge).
 */
export function uptimeCheckController(options: UptimeCheckOptions): ControllerSpec<UptimeCheckObject> {
  const { sql, kube } = options;
  const serviceIds = new ServiceIds();
  let runner: ReturnType<typeof startCheckRunner> | undefined;

  async function secretHeaders(namespace: string, name: string): Promise<Record<string, string>> {
    const secret = await kube.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
  }

  /** Puts the check in place (a changed spec is probed at once) and answers its last result. */
  function upsert(object: UptimeCheckObject, desired: DesiredCheck, changed: boolean): Promise<LastResult | undefined> {
    return runInScope(sql, SYSTEM, async ({ sql: tx, afterCommit }) => {
      const ids = await serviceIds.register(tx, [desired.service], afterCommit);
      const [row] = await tx<{ last_ms: number | null; last_outcome: CheckOutcome | null; last_latency_ms: number | null; last_error_code: string | null; last_message: string | null }[]>`
        INSERT INTO checks (name, service_id, kind, spec, interval_seconds, timeout_ms, source)
        VALUES (${checkNameOf(object)}, ${ids.get(desired.service)!}, ${desired.kind}, ${JSON.stringify(desired.spec)}::jsonb, ${desired.intervalSeconds}, ${desired.timeoutMs}, 'kubernetes')
        ON CONFLICT (name) DO UPDATE SET service_id = excluded.service_id, kind = excluded.kind, spec = excluded.spec, interval_seconds = excluded.interval_seconds,
          timeout_ms = excluded.timeout_ms, updated_at = now(), next_run_at = CASE WHEN ${changed} THEN now() ELSE checks.next_run_at END
        WHERE checks.source = 'kubernetes'
        RETURNING ${tx.unsafe(epochMs("last_run_at"))} AS last_ms, last_outcome, last_latency_ms, last_error_code, last_message`;
      if (!row) throw new Error(`a check named ${checkNameOf(object)} exists and was not made from Kubernetes`);
      return row.last_ms === null || row.last_outcome === null
        ? undefined
        : { at: new Date(row.last_ms), outcome: row.last_outcome, latencyMs: row.last_latency_ms, errorCode: row.last_error_code, message: row.last_message };
    });
  }

  const forget = (names: string[], namespace: string, keep: boolean) =>
    runInScope(sql, SYSTEM, ({ sql: tx }) =>
      keep
        ? tx`DELETE FROM checks WHERE source = 'kubernetes' AND starts_with(name, ${checkNamePrefix(namespace)}) AND name <> ALL(${names}::text[])`
        : tx`DELETE FROM checks WHERE source = 'kubernetes' AND name = ANY(${names}::text[])`,
    );

  return {
    kind: UPTIME_CHECK_KIND,
    component: "failsight-uptime-controller",
    // Installed with the chart since #17; an upgraded release has it only once applied.
    optional: true,
    startedLeading() {
      // Its namespace's checks only: another controller (another namespace, the same database) probes its own.
      runner = startCheckRunner({ sql, serviceIds, source: "kubernetes", concurrency: options.concurrency, prober: options.identity, namePrefix: checkNamePrefix(options.namespace) });
    },
    async stoppedLeading() {
      const stopping = runner;
      runner = undefined;
      await stopping?.stop();
    },
    async deleted(object: UptimeCheckObject) {
      await forget([checkNameOf(object)], object.metadata.namespace!, false);
    },
    async syncHandler(object, { record, updateStatus, siblings }) {
      const at = new Date();
      const generationChanged = object.status?.observedGeneration !== object.metadata.generation;
      const first = desiredCheck(object.spec);
      if (!first.ok) {
        if (generationChanged) {
          await record(object, "Warning", "InvalidSpec", first.message);
          await updateStatus(object, statusForProblem(object, "InvalidSpec", first.message, at));
        }
        return {};
      }
      let desired = first.value;
      if (desired.headersFrom) {
        try {
          const withSecret = desiredCheck(object.spec, await secretHeaders(object.metadata.namespace!, desired.headersFrom));
          if (!withSecret.ok) throw new Error(withSecret.message);
          desired = withSecret.value;
        } catch (error) {
          const message = statusOf(error) === 404 ? `Secret ${desired.headersFrom} not found` : `Secret ${desired.headersFrom}: ${(error as Error).message}`;
          if (object.status?.conditions?.find((c) => c.type === "Ready")?.message !== message) await record(object, "Warning", "SecretUnavailable", message);
          await updateStatus(object, statusForProblem(object, "SecretUnavailable", message, at));
          return { requeueAfterMs: RETRY_SECRET_MS };
        }
      }
      const last = await upsert(object, desired, generationChanged);
      if (generationChanged) runner?.runNow();
      if (options.reap) await forget(siblings().map(checkNameOf), object.metadata.namespace!, true);
      const event = last ? eventForOutcome(object.status?.lastResult?.outcome, last.outcome) : undefined;
      if (event && last) await record(object, event.type, event.reason, last.message ?? last.outcome);
      await updateStatus(object, statusForCheck(object, checkNameOf(object), last, at));
      if (event) log.info({ check: checkNameOf(object), outcome: last?.outcome }, "uptime check outcome changed");
      return { requeueAfterMs: Math.min(desired.intervalSeconds * 1000, MAX_STATUS_AGE_MS) };
    },
  };
}
