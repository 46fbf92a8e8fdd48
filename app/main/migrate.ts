import { ConfigError, loadConfig } from "../config.ts";
import { createDb } from "../db/client.ts";
import { runMigrations } from "../db/migrate.ts";
import { log } from "../log.ts";

try {
  const config = loadConfig();
  log.level = config.LOG_LEVEL;
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the migrate entry point");
  const { sql } = createDb(config.DATABASE_URL, { max: 2, applicationName: "failsight-migrate" });
  await runMigrations(sql);
  await sql.end();
  log.info("migrations applied");
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "migration failed");
  process.exit(1);
}
