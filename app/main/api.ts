import { ConfigError, loadConfig } from "../config.ts";
import { configureLog, log } from "../log.ts";
import { startApi } from "./serve.ts";
import { onShutdown } from "./shutdown.ts";

// The API as it runs in the cluster: DATABASE_URL (the runtime role) is required, and
// migrations are the migrate entry point's job (an init container), run as the owner.
try {
  const config = loadConfig();
  configureLog({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (!config.DATABASE_URL) throw new ConfigError("DATABASE_URL: required for the api entry point (npm start runs an embedded database instead)");
  const api = await startApi(config, config.DATABASE_URL, config.OWNER_DATABASE_URL);
  onShutdown([
    { name: "drain http", run: () => api.drain(config.SHUTDOWN_GRACE_SECONDS * 1000) },
    { name: "close database pool", run: () => api.close() },
  ]);
} catch (error) {
  log.fatal(error instanceof ConfigError ? error.message : { err: error }, "failed to start");
  process.exit(1);
}
