import type { Sql } from "../db/client.ts";
import { timed } from "../db/query-metrics.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import { readVerdicts } from "../checks/verdicts.ts";
import { readEdges } from "./dependencies-repository.ts";
import { activeMaintenance } from "../incidents/maintenance.ts";
import { errorRate, evaluateState, thresholdsFor, weighVerdicts, type Thresholds } from "./evaluate.ts";
import type { HourHistograms } from "./hour-histograms.ts";
import { applyImpact, withDependencies } from "./impact.ts";
import { readWindowStats, type ServiceWindowRow } from "./repository.ts";

export type ServiceStatus = ServiceWindowRow & {
  state: ServiceState;
  reason: string;
  errorRate: number;
  effectiveThresholds: Thresholds;
  /** The down services that make this one `impacted` (empty when it is not). */
  impactedBy: string[];
};

/**
 * Every service the caller may see (or the named ones): window statistics, what its checks
 * and heartbeat say, whether a maintenance window holds it, and whether a service it
 * depends on is down (a dependency in maintenance is not). A named service's
 * dependencies are evaluated with it, to tell. Dependencies the caller may not see count
 * for nothing here; Failsight's own evaluation (the tracker, metrics, alerts) sees them all.
 */
export async function evaluateServices(sql: Sql, now: Date, windowMs: number, hours: HourHistograms, names?: string[]): Promise<ServiceStatus[]> {
  const edgesRead = readEdges(sql);
  const wanted = names ? withDependencies(names, await edgesRead) : undefined;
  // In this order on the connection: each statement of a READ COMMITTED transaction has its
  // own snapshot, and a check result commits its event and its verdict together, so reading
  // the verdicts after the roll-ups means every event counted has its verdict beside it
  // (read first, a result committed in between showed as an event without its verdict).
  const [rows, verdicts, edges, maintenance] = await Promise.all([
    timed("status_query", () => readWindowStats(sql, now, windowMs, hours, wanted)),
    readVerdicts(sql, now, wanted),
    edgesRead,
    activeMaintenance(sql, now, wanted),
  ]);
  const evaluated = rows.map((row) => {
    const effectiveThresholds = thresholdsFor(row.thresholds);
    const window = maintenance.get(row.service);
    const state: { state: ServiceState; reason: string } = window
      ? { state: "maintenance", reason: `in maintenance until ${window.endsAt.toISOString()}: ${window.title}` }
      : weighVerdicts(evaluateState(row, effectiveThresholds, now), verdicts.get(row.serviceId) ?? []);
    return { ...row, ...state, errorRate: errorRate(row), effectiveThresholds };
  });
  const statuses = applyImpact(evaluated, edges);
  return names ? statuses.filter((s) => names.includes(s.service)) : statuses;
}
