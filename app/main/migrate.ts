import { ConfigError, loadConfig } from "../config.ts";
import { createDb } from "../db/client.ts";
import { runMigrations } from "../db/migrate.ts";
import { waitForDatabase } from "../db/wait-for-database.ts";
import { configureLog, log } from "../log.ts";
import { createTeam } from "../access/repository.ts";
import { registerSqlReader } from "../access/sql-readers.ts";

try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the migrate entry point");
  // An init container that exits while the database is still starting is restarted with
  // ever longer back-off; waiting here converges as soon as it is up.
  await waitForDatabase(config.DATABASE_URL, config.MIGRATE_WAIT_SECONDS * 1000);
  const { sql } = createDb(config.DATABASE_URL, { max: 2, applicationName: "failsight-migrate", systemScope: true });
  await runMigrations(sql);
  log.info("migrations applied");
  for (const { role, team } of config.SQL_READERS ?? []) {
    await createTeam(sql, team);
    // The role comes from whoever may create roles (CloudNativePG's managed roles, which
    // may lag the first start): without it, the next start registers it.
    if (await registerSqlReader(sql, role, team)) log.info({ role, team }, "SQL reader registered");
    else log.warn({ role, team }, "SQL reader not registered yet: the database role does not exist");
  }
  await sql.end();
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "migration failed");
  process.exit(1);
}
