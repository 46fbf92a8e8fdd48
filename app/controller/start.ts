import type { Sql } from "../db/client.ts";
import { startManager, type ManagerOptions } from "./machine/manager.ts";
import { partitionPolicyController } from "./partition-policy/sync.ts";

export type ControllerOptions = ManagerOptions & { sql: Sql; now?: () => Date };

/**
 * The operator: every kind Failsight reconciles, in one process behind one Lease. A new
 * CRD is a folder beside partition-policy/ (resource, pure reconcile, syncHandler) and one
 * entry here.
 */
export function startController(options: ControllerOptions) {
  const now = options.now ?? (() => new Date());
  return startManager(options, [partitionPolicyController(options.sql, options.registry, now)]);
}

export type Controller = ReturnType<typeof startController>;
