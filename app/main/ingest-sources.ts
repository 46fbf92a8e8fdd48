import { inlineParser, ParsePool } from "../ingest/parse-pool.ts";
import type { Config } from "../config.ts";
import { ConfigError } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { ByteBudget } from "../ingest/byte-budget.ts";
import { Intake, type IntakeDeps } from "../ingest/intake.ts";
import { startNatsSource, type NatsSource } from "../ingest/sources/nats.ts";
import type { ServiceIds } from "../services/service-ids.ts";

/** The one ingest pipeline of a process, from its settings: HTTP routes and queue sources share its limits. */
export function intakeFromConfig(config: Config, sql: Sql, serviceIds: ServiceIds, rollupRows?: IntakeDeps["rollupRows"]): Intake {
  return new Intake({
    sql,
    serviceIds,
    now: () => new Date(),
    budget: new ByteBudget(config.INGEST_INFLIGHT_MIB * 1024 * 1024),
    concurrency: config.INGEST_CONCURRENCY,
    lenient: config.INGEST_LENIENT,
    serviceLabels: config.LOKI_SERVICE_LABELS,
    parser: config.INGEST_PARSE_WORKERS > 0 ? new ParsePool(config.INGEST_PARSE_WORKERS) : inlineParser,
    ...(rollupRows ? { rollupRows } : {}),
  });
}

/** The NATS JetStream consumer, when NATS_URL says where; it needs NATS_INGEST_KEY for whose entitlements the messages carry. */
export async function natsSourceFromConfig(config: Config, intake: Intake, sql: Sql): Promise<NatsSource | undefined> {
  if (!config.NATS_URL) return undefined;
  if (!config.NATS_INGEST_KEY) throw new ConfigError("NATS_INGEST_KEY: required with NATS_URL (an ingest key naming the services the messages may write)");
  return startNatsSource(
    { url: config.NATS_URL, stream: config.NATS_STREAM, subjects: config.NATS_SUBJECTS, durable: config.NATS_CONSUMER, deadLetterSubject: config.NATS_DEAD_LETTER_SUBJECT, ingestKey: config.NATS_INGEST_KEY },
    intake,
    sql,
  );
}
