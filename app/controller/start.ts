import type { Sql } from "../db/client.ts";
import { startManager, type ManagerOptions } from "./machine/manager.ts";
import { partitionPolicyController } from "./partition-policy/sync.ts";
import { uptimeCheckController } from "./uptime-check/sync.ts";

export type ControllerOptions = ManagerOptions & { sql: Sql; now?: () => Date; /** UptimeCheck probes run at once by the leader. */ checksConcurrency?: number };

/** Probes the leader runs at once when nothing says otherwise (CHECKS_CONCURRENCY). */
const DEFAULT_CHECKS_CONCURRENCY = 32;

/**
 * The operator: every kind Failsight reconciles, in one process behind one Lease. A new
 * CRD is a folder beside partition-policy/ (resource, pure reconcile, syncHandler) and one
 * entry here.
 */
export function startController(options: ControllerOptions) {
  const now = options.now ?? (() => new Date());
  return startManager(options, [
    partitionPolicyController(options.sql, options.registry, now),
    uptimeCheckController({ sql: options.sql, kube: options.kube, namespace: options.namespace, identity: options.identity, concurrency: options.checksConcurrency ?? DEFAULT_CHECKS_CONCURRENCY, reap: !options.labelSelector }),
  ]);
}

export type Controller = ReturnType<typeof startController>;
