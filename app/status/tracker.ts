import type { Sql } from "../db/client.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import { SYSTEM } from "../domain/actor.ts";
import { asActor } from "../db/scoped.ts";
import { publishStatuses } from "./metrics.ts";
import { recordTransitions } from "./repository.ts";
import { HourHistograms } from "./hour-histograms.ts";
import { evaluateServices } from "./service-status.ts";
import { DEFAULT_WINDOW, parseWindow } from "./window.ts";

/**
 * Evaluates every service on a timer and records each change of state in status_events,
 * the source of uptime. Runs in every API replica; an advisory lock in
 * recordTransitions keeps them from recording the same change twice.
 */

export function startStatusTracker(sql: Sql, intervalMs: number) {
  const windowMs = parseWindow(DEFAULT_WINDOW)!;
  const hours = new HourHistograms();
  return startPeriodic(
    intervalMs,
    async () => {
      const now = new Date();
      // Failsight's own job: it sees every service, whoever owns them.
      const { statuses, recorded } = await asActor(sql, SYSTEM, async (scoped) => {
        const evaluated = await evaluateServices(scoped.sql, now, windowMs, hours);
        return { statuses: evaluated, recorded: await recordTransitions(scoped.sql, evaluated, now) };
      });
      publishStatuses(statuses);
      if (recorded) log.info({ recorded }, "service state transitions recorded");
    },
    (error) => log.warn({ err: error }, "status evaluation failed; retrying next interval"),
  );
}
