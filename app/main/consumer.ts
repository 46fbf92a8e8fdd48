import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { ConfigError, loadConfig } from "../config.ts";
import { registry } from "../metrics/registry.ts";
import { createDb } from "../db/client.ts";
import { watchDatabase } from "../db/query-metrics.ts";
import { configureLog, log } from "../log.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { intakeFromConfig, natsSourceFromConfig } from "./ingest-sources.ts";
import { onShutdown } from "./shutdown.ts";

// The NATS consumer on its own (the chart's consumer Deployment): the same intake as the
// API's, with no HTTP. DATABASE_URL is the runtime role, NATS_URL and NATS_INGEST_KEY required.
try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the consumer entry point");
  if (!config.NATS_URL) throw new ConfigError("NATS_URL: required for the consumer entry point");
  const { sql } = createDb(config.DATABASE_URL, { max: config.DB_POOL_MAX, applicationName: "failsight-consumer" });
  watchDatabase(sql, config.DB_POOL_MAX);
  const source = (await natsSourceFromConfig(config, intakeFromConfig(config, sql, new ServiceIds()), sql))!;
  // Its own /metrics (the lag gauge, message outcomes, pool) and /healthz, for the chart's PodMonitor and probes.
  const http = new Hono();
  http.get("/healthz", (c) => c.json({ status: "ok" }));
  http.get("/metrics", async (c) => c.text(await registry.metrics(), 200, { "content-type": registry.contentType }));
  const server = serve({ fetch: http.fetch, port: config.CONSUMER_PORT }) as Server;
  onShutdown([
    { name: "stop consuming, let the message in hand finish", run: () => source.stop() },
    { name: "close http", run: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    { name: "close database pool", run: () => sql.end({ timeout: 5 }) },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  process.exit(1);
}
