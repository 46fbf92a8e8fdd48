import { tempFolder } from "./temp-folder.ts";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../db/embedded.ts";
import { runMigrations } from "../db/migrate.ts";
import { ensureRuntimeLogin } from "../db/roles.ts";
import { freePort } from "./free-port.ts";

// One throw-away database per test run: on the server at DATABASE_URL when it is set
// (CI runs the suite against the machine's PostgreSQL 15 that way), otherwise on an
// embedded PostgreSQL started for the run and deleted after it.

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's database as its owner: migrations, maintenance, and tests arranging data. */
    databaseUrl: string;
    /** The same database as the API's runtime role (member of failsight_runtime, owning nothing). */
    runtimeDatabaseUrl: string;
    /** A bare login role on the run's database, for the tests of SQL readers to register. */
    readerDatabaseUrl: string;
    /** A migrated database no test connects to, copied by freshDatabase() for tests that need one of their own. */
    templateDatabase: string;
    /** A BYPASSRLS role on the run's database, only to prove the API refuses to serve over one. */
    bypassRlsUrl: string;
    postgresVersion: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let dataRoot: ReturnType<typeof tempFolder> | undefined;
let adminUrl: string;
let dbName: string;

export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    dataRoot = tempFolder("failsight-test");
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataRoot.path, "pgdata"),
      port: await freePort(),
      persistent: false,
    });
    adminUrl = embedded.url;
  }
  dbName = `failsight_test_${process.pid}_${Date.now().toString(36)}`;
  // An ordinary role that owns the database, as in production: a superuser would skip
  // row-level security and every entitlement test would pass for the wrong reason.
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // CREATEDB lets freshDatabase() copy the migrated template; it grants nothing over rows.
  await admin.unsafe(`CREATE ROLE ${dbName} LOGIN PASSWORD 'failsight' NOSUPERUSER NOBYPASSRLS CREATEDB`);
  await admin.unsafe(`CREATE DATABASE ${dbName} OWNER ${dbName}`);
  await admin.unsafe(`CREATE DATABASE ${dbName}_template OWNER ${dbName}`);
  await admin.unsafe(`CREATE ROLE ${dbName}_bypass LOGIN PASSWORD 'failsight' NOSUPERUSER BYPASSRLS`);
  await ensureRuntimeLogin(admin, `${dbName}_api`, "failsight");
  await admin.unsafe(`CREATE ROLE ${dbName}_reader LOGIN PASSWORD 'failsight' NOSUPERUSER NOBYPASSRLS`);
  const [{ server_version }] = (await admin`SHOW server_version`) as unknown as [{ server_version: string }];
  await admin.end();

  const url = withDatabase(adminUrl, dbName, dbName);
  for (const database of [dbName, `${dbName}_template`]) {
    const sql = postgres(withDatabase(adminUrl, database, dbName), { max: 2, onnotice: () => {} });
    await runMigrations(sql);
    await sql.end();
  }
  project.provide("databaseUrl", url);
  project.provide("runtimeDatabaseUrl", withDatabase(adminUrl, dbName, `${dbName}_api`));
  project.provide("readerDatabaseUrl", withDatabase(adminUrl, dbName, `${dbName}_reader`));
  project.provide("templateDatabase", `${dbName}_template`);
  project.provide("bypassRlsUrl", withDatabase(adminUrl, dbName, `${dbName}_bypass`));
  project.provide("postgresVersion", server_version);
  console.log(`tests run on PostgreSQL ${server_version} (${embedded ? "embedded" : "DATABASE_URL"}), database ${dbName}`);
}

export async function teardown() {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // Databases freshDatabase() made and a failed test left behind go too.
  const copies = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${dbName + "%"}`.catch(() => []);
  for (const { datname } of copies) await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => {});
  await admin.unsafe(`DROP ROLE IF EXISTS ${dbName}_bypass`).catch(() => {});
  await admin.unsafe(`DROP ROLE IF EXISTS ${dbName}_api`).catch(() => {});
  await admin.unsafe(`DROP ROLE IF EXISTS ${dbName}_reader`).catch(() => {});
  await admin.unsafe(`DROP ROLE IF EXISTS ${dbName}`).catch(() => {});
  await admin.end();
  await embedded?.stop();
  dataRoot?.remove();
}

function withDatabase(url: string, database: string, user: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  u.username = user;
  u.password = "failsight";
  return u.toString();
}

