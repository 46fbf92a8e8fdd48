import { STATUS_CODES, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { problemBody } from "../api/problem.ts";
import { serve } from "@hono/node-server";
import { createApp } from "../api/app.ts";
import type { Config } from "../config.ts";
import { ConfigError, dbTimeouts } from "../config.ts";
import { bootstrapAdmin, bootstrapGrafanaKey } from "../access/bootstrap.ts";
import { createDb, type Sql } from "../db/client.ts";
import { bypassesRowSecurity } from "../db/scoped.ts";
import { ownsTables } from "../db/roles.ts";
import { log, logsForPeople } from "../log.ts";
import { adminKeyBanner } from "./admin-key-banner.ts";
import { watchDatabase } from "../db/query-metrics.ts";
import { limitServiceLabels } from "../metrics/service-labels.ts";
import { HourHistograms } from "../status/hour-histograms.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { startStatusTracker } from "../status/tracker.ts";
import { startCheckRunner } from "../checks/runner.ts";
import { StatusPageSource } from "../status-pages/page-data.ts";
import { startDependencyInference } from "../status/dependency-inference.ts";
import { WebSocketServer } from "ws";
import { startJournalCleanup } from "../ingest/journal.ts";
import { startRollupCompactor } from "../rollups/compactor.ts";
import { intakeFromConfig, natsSourceFromConfig } from "./ingest-sources.ts";

/**
 * Node answers requests it cannot parse (headers over its limit, a broken request line)
 * before the app sees them, with a bare status line. These get the problem+json every other
 * error has.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex) {
  if (!socket.writable) return socket.destroy();
  const [status, detail] = error.code === "HPE_HEADER_OVERFLOW" ? [431, "the request headers are too large"] : [400, "the request could not be parsed as HTTP"];
  const body = JSON.stringify(problemBody(status === 431 ? "headers-too-large" : "validation-error", "", detail));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * With keys checked, the API's connection must be one row-level security restricts; the
 * first admin key is made if none exists; and connecting as the tables' owner is warned of.
 */
async function prepareGuardedDatabase(sql: Sql, config: Config) {
  const role = await bypassesRowSecurity(sql);
  if (role) {
    await sql.end();
    throw new ConfigError(`DATABASE_URL connects as ${role}, a superuser or BYPASSRLS role, which row-level security does not restrict: connect as an ordinary role that owns the database (or set FAILSIGHT_AUTH=off for a demo)`);
  }
  await bootstrapAdmin(sql, config.FAILSIGHT_ADMIN_KEY, (key) => {
    if (logsForPeople()) process.stdout.write(adminKeyBanner(key, config.PORT));
    else log.warn({ key }, "created the first admin API key; it is shown this once: keep it (or set FAILSIGHT_ADMIN_KEY)");
  });
  if (config.FAILSIGHT_GRAFANA_KEY) await bootstrapGrafanaKey(sql, config.FAILSIGHT_GRAFANA_KEY, config.FAILSIGHT_GRAFANA_TEAMS);
  if (await ownsTables(sql)) {
    log.warn(
      "DATABASE_URL connects as the owner of Failsight's tables: whoever has these credentials can switch row-level security off. Connect the API as a runtime role (member of failsight_runtime) and give the owner's connection as OWNER_DATABASE_URL (README, \"Security model\")",
    );
  }
}

/**
 * The HTTP server, once it listens, and its WebSocket connections (Loki's live tail); a port
 * in use is said plainly.
 */
function listen(fetch: (request: Request) => Response | Promise<Response>, config: Config): Promise<{ server: Server; sockets: WebSocketServer }> {
  const sockets = new WebSocketServer({ noServer: true });
  return new Promise((resolve, reject) => {
    const s = serve({ fetch, port: config.PORT, hostname: config.HOST, websocket: { server: sockets } }, () => resolve({ server: s as Server, sockets })) as Server;
    // Node's headersTimeout (60 s) stays: on Node 24 it does not end an idle keep-alive
    // connection (one idle 2.5 s under headersTimeout 1.5 s and keepAliveTimeout 3 s still
    // answered), and a longer one would only give slow senders of headers more time.
    s.keepAliveTimeout = config.HTTP_KEEP_ALIVE_SECONDS * 1000;
    s.on("clientError", answerClientError);
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${config.PORT} is in use: stop what holds it, or set PORT`) : error),
    );
  });
}

/**
 * The API on a database that is already migrated. Requests use `databaseUrl` (the runtime
 * role); Failsight's own jobs in this process (the status tracker) use `ownerUrl`, the
 * only connection that may act in the system scope. The part every entry point shares.
 */
export async function startApi(config: Config, databaseUrl: string, ownerUrl: string | undefined) {
  if (config.FAILSIGHT_AUTH === "off") {
    log.warn(
      { host: config.HOST },
      `FAILSIGHT_AUTH=off: API keys are not checked and every request acts as an admin, admin routes included. For a laptop demo only; listening on ${config.HOST}${config.HOST === "127.0.0.1" ? " (set HOST to change it)" : ", which other machines can reach"}`,
    );
  }
  const { sql } = createDb(databaseUrl, { max: config.DB_POOL_MAX, applicationName: "failsight-api", timeouts: dbTimeouts(config) });
  if (config.FAILSIGHT_AUTH === "on") await prepareGuardedDatabase(sql, config);
  const owner = ownerUrl && ownerUrl !== databaseUrl ? createDb(ownerUrl, { max: 2, applicationName: "failsight-api-jobs", timeouts: dbTimeouts(config) }).sql : sql;
  watchDatabase(sql, config.DB_POOL_MAX);
  limitServiceLabels(config.METRICS_MAX_SERVICES, config.METRICS_MAX_ERROR_SERIES);
  const serviceIds = new ServiceIds();
  const compactor = startRollupCompactor(owner, config.ROLLUP_COMPACTION_SECONDS * 1000);
  const journal = startJournalCleanup(owner);
  const intake = intakeFromConfig(config, sql, serviceIds, compactor);
  const tracker = startStatusTracker(owner, config.STATUS_EVALUATION_SECONDS * 1000);
  const inference = startDependencyInference(owner, config.DEPENDENCY_INFERENCE_SECONDS * 1000);
  const checks = config.CHECKS_CONCURRENCY > 0 ? startCheckRunner({ sql: owner, serviceIds, source: "api", concurrency: config.CHECKS_CONCURRENCY, onOutcomeChange: tracker.runNow }) : undefined;
  const app = createApp({
    sql,
    serviceIds,
    hourHistograms: new HourHistograms(),
    now: () => new Date(),
    auth: config.FAILSIGHT_AUTH,
    requestTimeoutMs: config.REQUEST_TIMEOUT_SECONDS * 1000,
    intake,
    metricsToken: config.METRICS_TOKEN,
    grafanaUrl: config.GRAFANA_URL,
    stateMayHaveChanged: tracker.runNow,
    statusPages: new StatusPageSource(owner),
    ...(checks ? { checksChanged: checks.runNow } : {}),
  });
  const nats = await natsSourceFromConfig(config, intake, sql);
  const { server, sockets } = await listen(app.fetch, config).catch(async (error) => {
    await nats?.stop();
    await checks?.stop();
    await inference.stop();
    await tracker.stop();
    await compactor.stop();
    await journal.stop();
    await sql.end({ timeout: 1 });
    if (owner !== sql) await owner.end({ timeout: 1 });
    throw error;
  });
  log.info({ port: config.PORT }, `Failsight API on http://localhost:${config.PORT} (docs at /docs)`);

  return {
    sql,
    /** Stops accepting, lets in-flight requests finish within the grace period, then closes. */
    async drain(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A live tail never finishes by itself: it is told the server is going away.
      for (const socket of sockets.clients) socket.close(1001, "Failsight is shutting down");
      // A keep-alive connection goes idle once its last response is sent; close it then
      // rather than waiting out the keep-alive timeout.
      const sweeper = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        log.warn("grace period over: closing connections still open");
        server.closeAllConnections();
      }, graceMs);
      await closed;
      clearInterval(sweeper);
      clearTimeout(timer);
      await nats?.stop();
      await checks?.stop();
      await inference.stop();
      await tracker.stop();
      await compactor.stop();
      await journal.stop();
      await intake.close();
    },
    /** The owner's pool (the requests' pool when there is no separate owner): for Failsight's own jobs. */
    ownerSql: owner,
    close: async () => {
      await sql.end({ timeout: 5 });
      if (owner !== sql) await owner.end({ timeout: 5 });
    },
  };
}
