import type { Sql } from "../db/client.ts";
import { timed } from "../db/query-metrics.ts";
import type { ServiceState } from "../domain/vocabulary.ts";
import { errorRate, evaluateState, thresholdsFor, weighVerdicts, type Thresholds } from "./evaluate.ts";
import { readVerdicts } from "../checks/verdicts.ts";
import type { HourHistograms } from "./hour-histograms.ts";
import { readWindowStats, type ServiceWindowRow } from "./repository.ts";

export type ServiceStatus = ServiceWindowRow & {
  state: ServiceState;
  reason: string;
  errorRate: number;
  effectiveThresholds: Thresholds;
};

/** Window statistics joined with the state each service is in. */
export async function evaluateServices(sql: Sql, now: Date, windowMs: number, hours: HourHistograms, names?: string[]): Promise<ServiceStatus[]> {
  const [rows, verdicts] = await Promise.all([timed("status_query", () => readWindowStats(sql, now, windowMs, hours, names)), readVerdicts(sql, now, names)]);
  return rows.map((row) => {
    const effectiveThresholds = thresholdsFor(row.thresholds);
    const state = weighVerdicts(evaluateState(row, effectiveThresholds, now), verdicts.get(row.serviceId) ?? []);
    return { ...row, ...state, errorRate: errorRate(row), effectiveThresholds };
  });
}
