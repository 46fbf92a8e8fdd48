import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Actor } from "../domain/actor.ts";
import { createDb } from "./client.ts";
import { asActor } from "./scoped.ts";
import { asRuntime, unique } from "../test-support/harness.ts";

// The second layer on its own: each row-level security policy of migrations/0003 and 0004,
// exercised directly in SQL as the API's runtime role with the settings asActor writes, with none
// of the route checks (requirePermission, the ingest-key scope check) in front. A policy
// relaxed in a migration fails here even when a route's own check would hide it.
const { sql: system } = createDb(inject("databaseUrl"), { max: 2, systemScope: true });
const { sql: pool } = createDb(asRuntime(inject("databaseUrl")), { max: 2 });
afterAll(() => Promise.all([system.end(), pool.end()]));

const team = unique("team-pol");
const other = unique("team-pol-other");
const own = unique("pol-own");
const foreign = unique("pol-foreign");
const writable = unique("pol-writable");
const ids: Record<string, number> = {};
const users: Record<string, number> = {};

const user = (role: "viewer" | "operator" | "admin", who: string): Actor => ({ kind: "user", userId: users[who]!, name: who, role, keyPrefix: "policy" });
const ingestKey = (services: string[]): Actor => ({ kind: "ingest", name: "policy", keyPrefix: "policy", services });

beforeAll(async () => {
  await system`INSERT INTO teams (name) VALUES (${team}), (${other})`;
  for (const [name, owner] of [[own, team], [foreign, other], [writable, other]] as const) {
    ids[name] = (await system<{ id: number }[]>`INSERT INTO services (name, owner_team) VALUES (${name}, ${owner}) RETURNING id`)[0]!.id;
  }
  for (const who of ["viewer", "operator", "readOperator"]) {
    users[who] = (await system<{ id: number }[]>`INSERT INTO users (name, role) VALUES (${unique(who)}, ${who === "viewer" ? "viewer" : "operator"}) RETURNING id`)[0]!.id;
    await system`INSERT INTO team_members (team_id, user_id) SELECT id, ${users[who]!} FROM teams WHERE name = ${team}`;
  }
  await system`INSERT INTO grants (service_id, user_id, access) VALUES (${ids[writable]!}, ${users.operator!}, 'write'), (${ids[writable]!}, ${users.readOperator!}, 'read')`;
  await system`INSERT INTO log_events (ts, service_id, level, message) SELECT now(), id, 'info', 'policy' FROM services WHERE id IN ${system([ids[own]!, ids[foreign]!, ids[writable]!])}`;
});

const visible = (actor: Actor) => asActor(pool, actor, async ({ sql }) => (await sql<{ name: string }[]>`SELECT name FROM services WHERE name IN ${sql([own, foreign, writable])} ORDER BY name`).map((r) => r.name));
const visibleLogs = (actor: Actor) =>
  asActor(pool, actor, async ({ sql }) => (await sql<{ id: number }[]>`SELECT DISTINCT service_id AS id FROM log_events WHERE service_id IN ${sql([ids[own]!, ids[foreign]!, ids[writable]!])}`).map((r) => r.id).sort((a, b) => a - b));
/** SQLSTATE of the statement, or "ok". */
const attempt = (actor: Actor, work: (sql: typeof pool) => Promise<unknown>) =>
  asActor(pool, actor, ({ sql }) => work(sql)).then(
    () => "ok",
    (e: { code?: string }) => e.code ?? "error",
  );
const insertEvent = (serviceId: number) => (sql: typeof pool) => sql`INSERT INTO log_events (ts, service_id, level, message) VALUES (now(), ${serviceId}, 'info', 'policy write')`;

describe("services and log_events read policies", () => {
  it("a team member sees its team's services and their logs, and no other", async () => {
    expect(await visible(user("viewer", "viewer"))).toEqual([own].sort());
    expect(await visibleLogs(user("viewer", "viewer"))).toEqual([ids[own]!]);
  });

  it("a grant adds exactly the granted service", async () => {
    expect(await visible(user("operator", "operator"))).toEqual([own, writable].sort());
    expect(await visibleLogs(user("operator", "operator"))).toEqual([ids[own]!, ids[writable]!].sort((a, b) => a - b));
  });

  it("an ingest key sees only the services it names, and no logs at all", async () => {
    expect(await visible(ingestKey([own]))).toEqual([own]);
    expect(await visibleLogs(ingestKey([own]))).toEqual([]);
  });

  it("a connection with no settings sees nothing", async () => {
    expect((await pool`SELECT count(*)::int AS n FROM services`)[0]!.n).toBe(0);
    expect((await pool`SELECT count(*)::int AS n FROM log_events`)[0]!.n).toBe(0);
  });
});

describe("write policies, with no route check in front", () => {
  it("log_events_insert: an ingest key writes only the services it names", async () => {
    expect(await attempt(ingestKey([own]), insertEvent(ids[own]!))).toBe("ok");
    expect(await attempt(ingestKey([own]), insertEvent(ids[foreign]!))).toBe("42501");
  });

  it("log_events_insert: an operator writes its team's services and write grants, not read grants or others", async () => {
    expect(await attempt(user("operator", "operator"), insertEvent(ids[own]!))).toBe("ok");
    expect(await attempt(user("operator", "operator"), insertEvent(ids[writable]!))).toBe("ok");
    expect(await attempt(user("operator", "readOperator"), insertEvent(ids[writable]!))).toBe("42501");
    expect(await attempt(user("operator", "operator"), insertEvent(ids[foreign]!))).toBe("42501");
  });

  it("log_events_insert: a viewer writes nothing, not even its own team's service", async () => {
    expect(await attempt(user("viewer", "viewer"), insertEvent(ids[own]!))).toBe("42501");
  });

  it("services_insert: an ingest key registers only names in its scope; an operator only for its own team", async () => {
    const inScope = unique("pol-new");
    expect(await attempt(ingestKey([inScope]), (sql) => sql`INSERT INTO services (name) VALUES (${inScope})`)).toBe("ok");
    expect(await attempt(ingestKey([inScope]), (sql) => sql`INSERT INTO services (name) VALUES (${unique("pol-out")})`)).toBe("42501");
    expect(await attempt(user("operator", "operator"), (sql) => sql`INSERT INTO services (name, owner_team) VALUES (${unique("pol-op")}, ${team})`)).toBe("ok");
    expect(await attempt(user("operator", "operator"), (sql) => sql`INSERT INTO services (name, owner_team) VALUES (${unique("pol-op")}, ${other})`)).toBe("42501");
    expect(await attempt(user("viewer", "viewer"), (sql) => sql`INSERT INTO services (name, owner_team) VALUES (${unique("pol-v")}, ${team})`)).toBe("42501");
  });

  it("services_update: an operator changes its team's services and write grants; a read grant changes nothing", async () => {
    const update = (name: string) => (sql: typeof pool) => sql`UPDATE services SET tier = 2 WHERE name = ${name} RETURNING id`;
    const changed = (actor: Actor, name: string) => asActor(pool, actor, async ({ sql }) => (await update(name)(sql)).length);
    expect(await changed(user("operator", "operator"), own)).toBe(1);
    expect(await changed(user("operator", "operator"), writable)).toBe(1);
    expect(await changed(user("operator", "readOperator"), writable)).toBe(0);
    expect(await changed(user("viewer", "viewer"), own)).toBe(0);
    expect(await changed(ingestKey([own]), own)).toBe(0);
  });

  it("status_events: only Failsight itself (the owner, in the system scope) records transitions", async () => {
    const record = (sql: typeof pool) => sql`INSERT INTO status_events (service_id, from_state, to_state, reason) VALUES (${ids[own]!}, 'unknown', 'up', 'policy')`;
    expect(await attempt(user("admin", "operator"), record)).toBe("42501");
    // The runtime role may not claim the system scope, whatever it sets.
    expect(await attempt({ kind: "system" }, record)).not.toBe("ok");
    expect(await asActor(system, { kind: "system" }, ({ sql }) => record(sql)).then(() => "ok")).toBe("ok");
  });

  it("audit_log: appended by requests, read by admins only, changed by nobody", async () => {
    const append = (sql: typeof pool) => sql`INSERT INTO audit_log (role, method, path, row_count) VALUES ('viewer', 'GET', '/policy', 0)`;
    expect(await attempt(user("viewer", "viewer"), append)).toBe("ok");
    const count = (actor: Actor) => asActor(pool, actor, async ({ sql }) => (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM audit_log WHERE path = '/policy'`)[0]!.n);
    expect(await count(user("viewer", "viewer"))).toBe(0);
    expect(await count(user("admin", "operator"))).toBeGreaterThan(0);
    const before = await count(user("admin", "operator"));
    // No policy lets a delete see a row; and the trigger refuses any that would.
    expect(await attempt(user("admin", "operator"), (sql) => sql`DELETE FROM audit_log WHERE path = '/policy'`)).toBe("42501");
    expect(await attempt(user("admin", "operator"), (sql) => sql`UPDATE audit_log SET row_count = 1 WHERE path = '/policy'`)).toBe("42501");
    expect(await count(user("admin", "operator"))).toBe(before);
  });
});
