import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { KubeConfig } from "@kubernetes/client-node";
import { Registry, collectDefaultMetrics } from "prom-client";
import { ConfigError, loadConfig } from "../config.ts";
import { startController } from "../controller/start.ts";
import { controllerHttpApp } from "../controller/http.ts";
import { createDb } from "../db/client.ts";
import { configureLog, log } from "../log.ts";
import { onShutdown } from "./shutdown.ts";

// The partition operator. In a pod it finds the API server from its ServiceAccount and
// watches its own namespace; elsewhere it uses KUBECONFIG and CONTROLLER_NAMESPACE.
const SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the controller entry point");
  const namespace = config.CONTROLLER_NAMESPACE ?? readIfExists(SA_NAMESPACE) ?? "default";
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const { sql } = createDb(config.DATABASE_URL, { max: 3, applicationName: "failsight-controller" });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const controller = startController({
    kc,
    sql,
    namespace,
    identity: config.POD_NAME ?? `${hostname()}-${process.pid}`,
    registry,
    lease: {
      name: config.LEASE_NAME,
      leaseDurationMs: config.LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: config.LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: config.LEASE_RETRY_PERIOD_SECONDS * 1000,
    },
  });
  const app = controllerHttpApp(registry, controller.healthy, controller.isLeader);
  const server = serve({ fetch: app.fetch, port: config.CONTROLLER_PORT }) as Server;
  log.info({ namespace, port: config.CONTROLLER_PORT }, "partition controller started");
  onShutdown([
    { name: "stop controller and release the lease", run: () => controller.stop() },
    { name: "close http", run: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    { name: "close database pool", run: () => sql.end({ timeout: 5 }) },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  process.exit(1);
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}
