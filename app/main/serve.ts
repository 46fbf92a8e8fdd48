import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createApp } from "../api/app.ts";
import type { Config } from "../config.ts";
import { ConfigError } from "../config.ts";
import { bootstrapAdmin } from "../auth/bootstrap.ts";
import { createDb } from "../db/client.ts";
import { bypassesRowSecurity } from "../db/scoped.ts";
import { log } from "../log.ts";
import { watchDatabase } from "../metrics/db-metrics.ts";
import { limitServiceLabels } from "../metrics/service-metrics.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { startStatusTracker } from "../status/tracker.ts";

/** The API on a database that is already migrated: the part every entry point shares. */
export async function startApi(config: Config, databaseUrl: string) {
  const { sql } = createDb(databaseUrl, { max: config.DB_POOL_MAX, applicationName: "failsight-api" });
  if (config.FAILSIGHT_AUTH === "on") {
    const role = await bypassesRowSecurity(sql);
    if (role) {
      await sql.end();
      throw new ConfigError(`DATABASE_URL connects as ${role}, a superuser or BYPASSRLS role, which row-level security does not restrict: connect as an ordinary role that owns the database (or set FAILSIGHT_AUTH=off for a demo)`);
    }
    await bootstrapAdmin(sql, config.FAILSIGHT_ADMIN_KEY);
  }
  watchDatabase(sql, config.DB_POOL_MAX);
  limitServiceLabels(config.METRICS_MAX_SERVICES, config.METRICS_MAX_ERROR_SERIES);
  const app = createApp({ sql, serviceIds: new ServiceIds(), now: () => new Date(), auth: config.FAILSIGHT_AUTH });
  const tracker = startStatusTracker(sql, config.STATUS_EVALUATION_SECONDS * 1000);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s as Server)) as Server;
    s.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${config.PORT} is in use: stop what holds it, or set PORT`) : error),
    );
  }).catch(async (error) => {
    await tracker.stop();
    await sql.end({ timeout: 1 });
    throw error;
  });
  log.info({ port: config.PORT }, `Failsight API on http://localhost:${config.PORT} (docs at /docs)`);

  return {
    sql,
    /** Stops accepting, lets in-flight requests finish within the grace period, then closes. */
    async drain(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
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
      await tracker.stop();
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
