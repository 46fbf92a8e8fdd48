import { hostname } from "node:os";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { Registry, collectDefaultMetrics } from "prom-client";
import { ConfigError, loadConfig } from "../config.ts";
import { startController } from "../controller/start.ts";
import { controllerHttpApp } from "../controller/http.ts";
import { KubeClient, type KubeCredentials } from "../controller/machine/kube-client.ts";
import { UnsupportedKubeconfig, loadKubeTarget, type KubeTarget } from "../controller/machine/kubeconfig.ts";
import { createDb } from "../db/client.ts";
import { configureLog, log } from "../log.ts";
import { onShutdown } from "./shutdown.ts";

// The operator: partition maintenance (PartitionPolicy) and uptime checks (UptimeCheck). In a pod it finds the API server from its ServiceAccount and
// watches its own namespace; elsewhere it uses KUBECONFIG and CONTROLLER_NAMESPACE.
try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the controller entry point");
  const target = await kubeTarget();
  const namespace = config.CONTROLLER_NAMESPACE ?? target.namespace ?? "default";
  const { sql } = createDb(config.DATABASE_URL, { max: 3, applicationName: "failsight-controller" });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const controller = startController({
    kube: new KubeClient(target.credentials),
    sql,
    namespace,
    ...(config.CONTROLLER_SELECTOR ? { labelSelector: config.CONTROLLER_SELECTOR } : {}),
    identity: config.POD_NAME ?? `${hostname()}-${process.pid}`,
    registry,
    ...(config.CHECKS_CONCURRENCY > 0 ? { checksConcurrency: config.CHECKS_CONCURRENCY } : {}),
    lease: {
      name: config.LEASE_NAME,
      leaseDurationMs: config.LEASE_DURATION_SECONDS * 1000,
      renewDeadlineMs: config.LEASE_RENEW_DEADLINE_SECONDS * 1000,
      retryPeriodMs: config.LEASE_RETRY_PERIOD_SECONDS * 1000,
    },
  });
  const app = controllerHttpApp(registry, () => controller.readiness());
  const server = serve({ fetch: app.fetch, port: config.CONTROLLER_PORT, hostname: config.CONTROLLER_HOST }) as Server;
  log.info({ namespace, selector: config.CONTROLLER_SELECTOR ?? "(every policy)", address: `${config.CONTROLLER_HOST}:${config.CONTROLLER_PORT}` }, "controller started");
  onShutdown([
    { name: "stop controller and release the lease", run: () => controller.stop() },
    { name: "close http", run: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    { name: "close database pool", run: () => sql.end({ timeout: 5 }) },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  process.exit(1);
}

/**
 * The API server and credentials. A kubeconfig whose user runs an exec or auth-provider
 * plugin (cloud CLIs, on a developer's machine) goes through @kubernetes/client-node, which
 * runs them; it is loaded only then, because importing it costs 85 MiB.
 */
async function kubeTarget(): Promise<KubeTarget> {
  try {
    return loadKubeTarget();
  } catch (error) {
    if (!(error instanceof UnsupportedKubeconfig)) throw error;
    const { KubeConfig } = await import("@kubernetes/client-node");
    const kc = new KubeConfig();
    kc.loadFromDefault();
    const options: { ca?: Buffer; cert?: Buffer; key?: Buffer; headers?: Record<string, string>; rejectUnauthorized?: boolean } = {};
    await kc.applyToHTTPSOptions(options);
    const credentials: KubeCredentials = {
      server: kc.getCurrentCluster()!.server.replace(/\/+$/, ""),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
      ...(options.rejectUnauthorized === false ? { insecureSkipTlsVerify: true } : {}),
      authorization: async () => {
        const fresh: { headers?: Record<string, string> } = {};
        await kc.applyToHTTPSOptions(fresh);
        return fresh.headers?.Authorization;
      },
    };
    return { credentials, namespace: kc.getContextObject(kc.getCurrentContext())?.namespace };
  }
}
