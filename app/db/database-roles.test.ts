import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import postgres from "postgres";
import { registerSqlReader, removeSqlReader } from "../access/sql-readers.ts";
import { createDb } from "./client.ts";
import { asRuntime, unique } from "../test-support/harness.ts";
import { maintenanceDatabase } from "../test-support/maintenance-database.ts";
import { runPartitionMaintenance } from "../partitions/maintain.ts";
import { PartitionPolicySpec } from "../partitions/policy.ts";

// The database's own guarantees, tried as an attacker would with each role's credentials:
// the API's runtime role (what a leaked API Secret gives) and a SQL reader (what Grafana's
// PostgreSQL datasource holds). No API in front, no settings written for them.
const owner = createDb(inject("databaseUrl"), { max: 2, systemScope: true }).sql;
const runtime = postgres(inject("runtimeDatabaseUrl"), { max: 1, onnotice: () => {} });
const reader = postgres(inject("readerDatabaseUrl"), { max: 1, onnotice: () => {} });
afterAll(() => Promise.all([owner.end(), runtime.end(), reader.end()]));

const team = unique("team-roles");
const other = unique("team-roles-other");
const mine = unique("svc-mine");
const theirs = unique("svc-theirs");
const readerRole = new URL(inject("readerDatabaseUrl")).username;
let partition = "";

const code = (work: Promise<unknown>) => work.then(() => "ok", (e: { code?: string }) => e.code ?? "error");
/** Every failsight.* setting an attacker might try, at session level. */
const claimEverything = (sql: postgres.Sql) =>
  sql`SELECT set_config('failsight.scope', 'system', false), set_config('failsight.role', 'admin', false), set_config('failsight.user_id', '1', false), set_config('failsight.ingest_services', ${JSON.stringify([theirs])}, false)`;

beforeAll(async () => {
  await owner`INSERT INTO teams (name) VALUES (${team}), (${other})`;
  await owner`INSERT INTO services (name, owner_team) VALUES (${mine}, ${team}), (${theirs}, ${other})`;
  await owner`INSERT INTO log_events (ts, service_id, level, message) SELECT now(), id, 'info', 'roles' FROM services WHERE name IN (${mine}, ${theirs})`;
  partition = (await owner<{ p: string }[]>`SELECT e.tableoid::regclass::text AS p FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${mine} LIMIT 1`)[0]!.p;
  expect(await registerSqlReader(owner, readerRole, team)).toBe(true);
});

describe("the API's runtime role, with its own credentials", () => {
  it("cannot take the system scope: with every setting it likes but no role it reads nothing and records nothing", async () => {
    await runtime`SELECT set_config('failsight.scope', 'system', false)`;
    expect((await runtime`SELECT count(*)::int AS n FROM log_events`)[0]!.n).toBe(0);
    expect((await runtime`SELECT count(*)::int AS n FROM services`)[0]!.n).toBe(0);
    expect(await code(runtime`INSERT INTO status_events (service_id, from_state, to_state, reason) SELECT id, 'up', 'down', 'forged' FROM services LIMIT 1`)).not.toBe("ok");
    await runtime`SELECT set_config('failsight.scope', '', false)`;
  });

  it("cannot read a partition directly, change the rules, or touch the audit trail", async () => {
    expect(await code(runtime.unsafe(`SELECT count(*) FROM ${partition}`))).toBe("42501");
    expect(await code(runtime.unsafe(`SELECT count(*) FROM log_events_default`))).toBe("42501");
    expect(await code(runtime.unsafe("ALTER TABLE log_events NO FORCE ROW LEVEL SECURITY"))).toBe("42501");
    expect(await code(runtime.unsafe("ALTER TABLE services DISABLE ROW LEVEL SECURITY"))).toBe("42501");
    expect(await code(runtime.unsafe("DROP POLICY services_read ON services"))).toBe("42501");
    expect(await code(runtime.unsafe("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))).toBe("42501");
    expect(await code(runtime.unsafe("DELETE FROM audit_log"))).toBe("42501");
    expect(await code(runtime.unsafe("UPDATE audit_log SET row_count = 0"))).toBe("42501");
    expect(await code(runtime.unsafe("TRUNCATE audit_log"))).toBe("42501");
    expect(await code(runtime.unsafe("CREATE TABLE sneaky (x int)"))).toBe("42501");
    expect(await code(runtime.unsafe("CREATE OR REPLACE FUNCTION failsight_is_system() RETURNS boolean LANGUAGE sql AS 'SELECT true'"))).toBe("42501");
    expect(await code(runtime.unsafe("SELECT * FROM sql_readers"))).toBe("42501");
  });

  it("gets no access to a partition that maintenance makes later, either", async () => {
    const db = await maintenanceDatabase();
    const report = await runPartitionMaintenance(db.pool, PartitionPolicySpec.parse({ premakeMonths: 1 }), new Date());
    if (!report.ran) throw new Error(report.reason);
    const made = report.actions.find((a) => a.kind === "create" && a.result === "done")!.partition;
    const late = postgres(asRuntime(db.url), { max: 1, onnotice: () => {} });
    try {
      expect(await code(late.unsafe(`SELECT count(*) FROM ${made}`))).toBe("42501");
      expect(await code(late`SELECT count(*) FROM log_events`)).toBe("ok");
    } finally {
      await late.end();
    }
  });

  it("reads as whom its settings name, as the API relies on: an admin sees both teams", async () => {
    await runtime`SELECT set_config('failsight.role', 'admin', false)`;
    const seen = (await runtime<{ name: string }[]>`SELECT name FROM services WHERE name IN (${mine}, ${theirs}) ORDER BY name`).map((r) => r.name);
    expect(seen.sort()).toEqual([mine, theirs].sort());
    await runtime`SELECT set_config('failsight.role', '', false)`;
  });
});

describe("a SQL reader (Grafana's PostgreSQL datasource)", () => {
  it("sees its team's services and events, and nothing else, whatever it sets", async () => {
    for (const claim of [false, true]) {
      if (claim) await claimEverything(reader);
      const services = (await reader<{ name: string }[]>`SELECT name FROM services WHERE name IN (${mine}, ${theirs})`).map((r) => r.name);
      expect(services, claim ? "after claiming every setting" : "plainly").toEqual([mine]);
      const events = await reader<{ service_id: number }[]>`SELECT DISTINCT service_id FROM log_events`;
      const mineId = (await owner<{ id: number }[]>`SELECT id FROM services WHERE name = ${mine}`)[0]!.id;
      expect(events.map((e) => e.service_id)).toEqual([mineId]);
    }
  });

  it("cannot read around the policies through a partition, nor write anything", async () => {
    expect(await code(reader.unsafe(`SELECT count(*) FROM ${partition}`))).toBe("42501");
    expect(await code(reader`INSERT INTO log_events (ts, service_id, level, message) SELECT now(), id, 'info', 'x' FROM services LIMIT 1`)).toBe("42501");
    expect(await code(reader`SELECT * FROM api_keys`)).toBe("42501");
    expect(await code(reader`SELECT * FROM audit_log`)).toBe("42501");
  });

  it("reads nothing once removed", async () => {
    const temp = unique("team-gone");
    await owner`INSERT INTO teams (name) VALUES (${temp})`;
    expect(await removeSqlReader(owner, readerRole)).toBe(true);
    expect(await code(reader`SELECT count(*) FROM services`)).toBe("42501");
    expect(await registerSqlReader(owner, readerRole, team)).toBe(true);
  });
});
