import { CustomObjectsApi, PatchStrategy, makeInformer, setHeaderOptions, type KubeConfig, type KubernetesListObject } from "@kubernetes/client-node";
import { Gauge, type Registry } from "prom-client";
import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { runPartitionMaintenance } from "../partitions/maintain.ts";
import { createPartitionMetrics } from "../partitions/metrics.ts";
import { ACTION_REASONS, EventRecorder } from "./events.ts";
import { LeaderElector, type LeaderElectionConfig } from "./leader-election.ts";
import { isDue, nextRunAt, statusAfterRun, statusForFailedRun, statusForInvalidSpec } from "./reconcile.ts";
import { GROUP, PLURAL, VERSION, keyOf, parseSpec, type PolicyObject, type PolicyStatus } from "./resource.ts";

const RETRY_AFTER_FAILURE_MS = 60_000;

export type ControllerOptions = {
  kc: KubeConfig;
  sql: Sql;
  namespace: string;
  identity: string;
  lease: Omit<LeaderElectionConfig, "namespace" | "identity">;
  registry: Registry;
  now?: () => Date;
};

/**
 * The partition operator: watches PartitionPolicy objects in one namespace, and while it
 * holds the Lease, runs maintenance for each when its spec changes or its interval passes,
 * then writes status and events. Work for one object is serialised; objects run side by side.
 */
export function startController(options: ControllerOptions) {
  const { kc, sql, namespace, identity, registry } = options;
  const now = options.now ?? (() => new Date());
  const api = kc.makeApiClient(CustomObjectsApi);
  const events = new EventRecorder(kc, identity);
  const metrics = createPartitionMetrics(registry);
  const leaderGauge = new Gauge({ name: "failsight_controller_leader", help: "1 while this replica holds the controller's Lease.", registers: [registry] });
  const elector = new LeaderElector(kc, { ...options.lease, namespace, identity });

  const path = `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/${PLURAL}`;
  const informer = makeInformer<PolicyObject & { metadata: object }>(kc, path, () =>
    api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL }) as Promise<KubernetesListObject<PolicyObject & { metadata: object }>>,
  );

  const chains = new Map<string, Promise<void>>();
  const pending = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  let connected = false;
  let stopped = false;

  /** At most one reconcile per object at a time, and at most one more queued behind it. */
  const enqueue = (key: string) => {
    if (stopped || pending.has(key)) return;
    pending.add(key);
    const previous = chains.get(key) ?? Promise.resolve();
    const next = previous.then(async () => {
      pending.delete(key);
      await reconcile(key).catch((error) => log.error({ err: error, policy: key }, "reconcile failed"));
    });
    chains.set(key, next);
  };

  const schedule = (key: string, at: Date) => {
    clearTimeout(timers.get(key));
    const delay = Math.max(0, at.getTime() - now().getTime());
    const timer = setTimeout(() => enqueue(key), Math.min(delay, 2 ** 31 - 1));
    timer.unref();
    timers.set(key, timer);
  };

  async function reconcile(key: string) {
    if (!elector.isLeader()) return;
    const [ns, name] = key.split("/") as [string, string];
    const object = informer.get(name, ns);
    if (!object) {
      clearTimeout(timers.get(key));
      timers.delete(key);
      return;
    }
    const parsed = parseSpec(object.spec);
    const at = now();
    if (!parsed.ok) {
      if (object.status?.observedGeneration !== object.metadata.generation) {
        await events.record(object, "Warning", "InvalidSpec", parsed.message);
        await writeStatus(object, statusForInvalidSpec(object, parsed.message, at));
      }
      return;
    }
    const { policy, intervalMs } = parsed.value;
    if (!isDue(object, intervalMs, at)) {
      schedule(key, nextRunAt(object, intervalMs, at));
      return;
    }
    const started = performance.now();
    // After a failure (say, the database is not migrated yet on a first install), try
    // again within a minute rather than after the full interval.
    let next = intervalMs;
    try {
      const report = await runPartitionMaintenance(sql, policy, at, (action) => {
        void events.record(object, action.result === "failed" ? "Warning" : "Normal", action.result === "failed" ? "ActionFailed" : ACTION_REASONS[action.kind], action.detail);
      });
      metrics.record(key, policy.table, report, (performance.now() - started) / 1000, at);
      if (report.ran) for (const note of report.notes) log.warn({ policy: key }, note);
      if (report.ran && report.failed) next = Math.min(intervalMs, RETRY_AFTER_FAILURE_MS);
      await writeStatus(object, statusAfterRun(object, report, at, next));
    } catch (error) {
      next = Math.min(intervalMs, RETRY_AFTER_FAILURE_MS);
      metrics.failed(key, (performance.now() - started) / 1000);
      const message = (error as Error).message;
      await events.record(object, "Warning", "ReconcileFailed", message);
      await writeStatus(object, statusForFailedRun(object, message, at, next));
    }
    schedule(key, new Date(at.getTime() + next));
  }

  async function writeStatus(object: PolicyObject, status: PolicyStatus) {
    try {
      await api.patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: object.metadata.namespace!, plural: PLURAL, name: object.metadata.name!, body: { status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    } catch (error) {
      log.warn({ err: error, policy: keyOf(object) }, "could not write status");
    }
  }

  informer.on("add", (o) => enqueue(keyOf(o)));
  informer.on("update", (o) => enqueue(keyOf(o)));
  informer.on("delete", (o) => {
    clearTimeout(timers.get(keyOf(o)));
    timers.delete(keyOf(o));
  });
  informer.on("connect", () => {
    connected = true;
  });
  // The informer stops on an error (a dropped watch, a 410 Gone); start it again after a pause.
  informer.on("error", (error) => {
    connected = false;
    if (stopped) return;
    log.warn({ err: error }, "watch of PartitionPolicies failed; restarting in 2s");
    setTimeout(() => void informer.start().catch((e) => log.error({ err: e }, "could not restart the watch")), 2000).unref();
  });

  const ready = informer.start().then(() => {
    connected = true;
  });
  elector.start(
    () => {
      leaderGauge.set(1);
      for (const o of informer.list()) enqueue(keyOf(o));
    },
    () => {
      leaderGauge.set(0);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  );

  return {
    ready,
    isLeader: () => elector.isLeader(),
    /** Healthy while the watch is connected. */
    healthy: () => connected,
    async stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
      await informer.stop();
      await Promise.all(chains.values());
      await elector.stop();
      leaderGauge.set(0);
    },
  };
}

export type Controller = ReturnType<typeof startController>;
