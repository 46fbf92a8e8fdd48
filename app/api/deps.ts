import type { Sql } from "../db/client.ts";
import type { Intake } from "../ingest/intake.ts";
import type { ServiceIds } from "../services/service-ids.ts";
import type { HourHistograms } from "../status/hour-histograms.ts";
import type { StatusPageSource } from "../status-pages/page-data.ts";

/** What route handlers need from the outside world, handed in by the entry point. */
export type AppDeps = {
  /** The pool; a request's work runs in asActor(sql, actor, ...), under row-level security, which also gives it drizzle. */
  sql: Sql;
  serviceIds: ServiceIds;
  /** Whole hours' latency histograms kept between /status calls, checked against the database on each. */
  hourHistograms: HourHistograms;
  /** The clock; tests pin it. */
  now: () => Date;
  /** "off" only for a laptop demo: every request then acts as an admin, unchecked. */
  auth: "on" | "off";
  /** How long a request may wait for the database before it is answered 503 (REQUEST_TIMEOUT_DEFAULT_MS). */
  requestTimeoutMs?: number;
  /** The ingest pipeline (limits, formats, writer), shared with any other source in the process; a default one when absent (tests). */
  intake?: Intake;
  /** The scrape credential for /metrics (METRICS_TOKEN); admins' keys work too. */
  metricsToken?: string;
  /** Tells the status tracker to evaluate now: a probe's verdict may have changed (a failed ping). */
  stateMayHaveChanged?: () => void;
  /** Tells the check runner a check was added, so its first probe need not wait for the next tick. */
  checksChanged?: () => void;
  /** What status pages show, computed as Failsight itself (the owner's connection); without it, pages answer 503. */
  statusPages?: StatusPageSource;
  /** Where Grafana is (GRAFANA_URL), for the landing page's link. */
  grafanaUrl?: string;
};
