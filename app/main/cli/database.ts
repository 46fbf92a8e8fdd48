import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../config.ts";
import { createDb, type Sql } from "../../db/client.ts";
import { embeddedDataDir, embeddedOwnerUrl, startEmbeddedPostgres, type EmbeddedPostgres } from "../../db/embedded.ts";

/** Raised when no database can be reached: the CLI's exit code 3. */
export class NoDatabaseError extends Error {
  override name = "NoDatabaseError";
}

export type CliDatabase = { sql: Sql; close: () => Promise<void> };

/**
 * The database the CLI works on, as its owner (administration is Failsight's own work):
 * OWNER_DATABASE_URL or DATABASE_URL when set; otherwise the embedded database of
 * `npm start`, found by the same settings (FAILSIGHT_DATA_DIR, FAILSIGHT_EMBEDDED_PG_PORT).
 * When `npm start` is not running, the CLI starts that database itself for the command
 * and stops it afterwards.
 */
export async function openDatabase(config: Config): Promise<CliDatabase> {
  const url = config.OWNER_DATABASE_URL ?? config.DATABASE_URL;
  if (url) return connect(url, new URL(url).host);
  const dataDir = embeddedDataDir(config.FAILSIGHT_DATA_DIR);
  if (postmasterRunning(dataDir) || !existsSync(path.join(dataDir, "PG_VERSION"))) {
    // Running (npm start holds it), or never created: either way, connect and see.
    return connect(embeddedOwnerUrl(config.FAILSIGHT_EMBEDDED_PG_PORT), `the embedded database on 127.0.0.1:${config.FAILSIGHT_EMBEDDED_PG_PORT}`, () =>
      existsSync(path.join(dataDir, "PG_VERSION")) ? "is `npm start` using another FAILSIGHT_EMBEDDED_PG_PORT?" : `there is no database in ${dataDir} yet: start Failsight once with \`npm start\`, or set DATABASE_URL`,
    );
  }
  let embedded: EmbeddedPostgres;
  try {
    embedded = await startEmbeddedPostgres({ dataDir, port: config.FAILSIGHT_EMBEDDED_PG_PORT, persistent: true });
  } catch (error) {
    throw new NoDatabaseError((error as Error).message);
  }
  const db = await connect(await embedded.appUrl(), `the embedded database in ${dataDir}`);
  return { sql: db.sql, close: async () => (await db.close(), await embedded.stop()) };
}

async function connect(url: string, where: string, hint?: () => string): Promise<CliDatabase> {
  const { sql } = createDb(url, { max: 1, applicationName: "failsight-cli", systemScope: true, timeouts: { connectSeconds: 5 } });
  try {
    await sql`SELECT 1`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new NoDatabaseError(`cannot reach ${where} (${reason})${hint ? `: ${hint()}` : ""}`);
  }
  return { sql, close: () => sql.end({ timeout: 5 }) };
}

function postmasterRunning(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
