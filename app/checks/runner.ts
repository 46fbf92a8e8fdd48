import type { Sql } from "../db/client.ts";
import { runInScope } from "../db/scope.ts";
import { SYSTEM } from "../domain/actor.ts";
import type { CheckSource } from "../domain/vocabulary.ts";
import { storeOwnEvents } from "../ingest/own-events.ts";
import { log } from "../log.ts";
import { startPeriodic } from "../periodic.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import { checkEvent } from "./check-event.ts";
import { confirmed, retryDelayMs } from "./confirm.ts";
import { checkDuration, checkResults } from "./metrics.ts";
import { probe } from "./probes/index.ts";
import { claimDueChecks, recordCheckResult, type DueCheck } from "./schedule.ts";

type CheckRunnerOptions = {
  /** The owner's pool: the runner acts as Failsight itself. */
  sql: Sql;
  serviceIds: ServiceIds;
  /** Which checks this runner probes: the API's own (`api`), or the controller's UptimeCheck objects. */
  source: CheckSource;
  /** How often it looks for due checks. */
  tickMs?: number;
  /** Checks probed at once by this process (CHECKS_CONCURRENCY). */
  concurrency: number;
  /** Only checks whose names start so (a controller's: `k8s/<its namespace>/`). */
  namePrefix?: string;
  /** Who probes, kept with each result (a controller replica's name). */
  prober?: string;
  /** Told when a check's outcome changed: the status tracker evaluates at once. */
  onOutcomeChange?: () => void;
  clock?: () => Date;
};


/** How often a runner looks for due checks: a new check's first probe, and every later one, is at most this late. */
const TICK_MS = 1_000;

/**
 * Probes due checks of one source and stores each confirmed result: as an event of the
 * checked service (so uptime, /status, metrics and alerts see it like any other event) and as
 * the check's last result, in one transaction. Runs in every process that serves that source;
 * the claim (repository.ts) gives each due check to one of them.
 */
export function startCheckRunner(options: CheckRunnerOptions) {
  const { sql, serviceIds, source, onOutcomeChange } = options;
  const { concurrency } = options;
  const clock = options.clock ?? (() => new Date());
  const running = new Map<number, Promise<void>>();

  async function run(check: DueCheck) {
    const started = performance.now();
    const { result, firstAttempt } = await confirmed(() => probe(check.kind, check.spec, check.timeoutMs), retryDelayMs(check.intervalSeconds));
    const at = clock();
    const event = checkEvent(check, result, at, firstAttempt);
    if (options.prober) event.attributes = { ...event.attributes, prober: options.prober };
    await storeOwnEvents(sql, serviceIds, SYSTEM, [event], (scoped) => recordCheckResult(scoped.sql, check, result, at));
    checkResults.inc({ kind: check.kind, outcome: result.outcome });
    checkDuration.observe({ kind: check.kind }, (performance.now() - started) / 1000);
    if (result.outcome !== check.lastOutcome) {
      log.info({ check: check.name, service: check.service, from: check.lastOutcome, to: result.outcome, detail: result.message }, "check outcome changed");
      onOutcomeChange?.();
    }
  }

  const periodic = startPeriodic(
    options.tickMs ?? TICK_MS,
    async () => {
      const due = await runInScope(sql, SYSTEM, ({ sql: tx }) => claimDueChecks(tx, source, concurrency - running.size, [...running.keys()], options.namePrefix));
      for (const check of due) {
        const done = run(check)
          .catch((error) => log.warn({ err: error, check: check.name }, "check result not recorded; the check runs again at its next interval"))
          .finally(() => running.delete(check.id));
        running.set(check.id, done);
      }
    },
    (error) => log.warn({ err: error }, "could not take due checks; retrying next tick"),
  );
  return {
    runNow: periodic.runNow,
    /** Stops taking checks, and waits for those under way to be recorded. */
    async stop() {
      await periodic.stop();
      await Promise.all(running.values());
    },
  };
}
