import type { Sql } from "../db/client.ts";
import type { ByteBudget } from "../ingest/byte-budget.ts";
import type { Intake } from "../ingest/intake.ts";
import type { WorkSlots } from "../ingest/work-slots.ts";
import type { ServiceIds } from "../services/service-ids.ts";

/** What route handlers need from the outside world, handed in by the entry point. */
export type AppDeps = {
  /** The pool; a request's work runs in asActor(sql, actor, ...), under row-level security, which also gives it drizzle. */
  sql: Sql;
  serviceIds: ServiceIds;
  /** The clock; tests pin it. */
  now: () => Date;
  /** "off" only for a laptop demo: every request then acts as an admin, unchecked. */
  auth: "on" | "off";
  /** How long a request may wait for the database before it is answered 503 (REQUEST_TIMEOUT_DEFAULT_MS). */
  requestTimeoutMs?: number;
  /** The ingest pipeline, when the entry point shares it with another source (a NATS consumer); made from the settings below otherwise. */
  intake?: Intake;
  /** Bytes of ingest bodies in flight at once (INGEST_INFLIGHT_MIB; DEFAULT_INFLIGHT_MIB). */
  ingestBudget?: ByteBudget;
  /** Ingest batches parsed and written at once (INGEST_CONCURRENCY; DEFAULT_INGEST_CONCURRENCY). */
  ingestSlots?: WorkSlots;
  /** The scrape credential for /metrics (METRICS_TOKEN); admins' keys work too. */
  metricsToken?: string;
  /** Lenient mode for every native batch (INGEST_LENIENT). */
  ingestLenient?: boolean;
  /** Loki stream labels that name the service (LOKI_SERVICE_LABELS). */
  lokiServiceLabels?: readonly string[];
  /** Where Grafana is (GRAFANA_URL), for the landing page's link. */
  grafanaUrl?: string;
};
