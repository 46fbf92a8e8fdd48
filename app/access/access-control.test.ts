import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addMember, createGrant, createTeam, createUser } from "./repository.ts";
import { createKey } from "./api-keys.ts";
import { createDb } from "../db/client.ts";
import { testHarness, unique } from "../test-support/harness.ts";

// Access control end to end, on the real database as an ordinary role: the API with
// authentication on, and PostgreSQL's row-level security underneath it.
const h = testHarness({ auth: "on" });
const alpha = unique("alpha");
const beta = unique("beta");
const svcA = unique("svc-a"); // owned by alpha
const svcB = unique("svc-b"); // owned by beta
const svcG = unique("svc-g"); // owned by beta, granted to alice
const keys: Record<string, string> = {};
const names: Record<string, string> = {};

const as = (who: string, path: string, init: RequestInit = {}) =>
  h.app.request(path, { ...init, headers: { ...(init.headers ?? {}), ...(keys[who] ? { authorization: `Bearer ${keys[who]}` } : {}) } });
const json = (who: string, method: string, path: string, body: unknown) => as(who, path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const services = async (who: string, path: string) => ((await (await as(who, path)).json()) as { items: { service: string }[] }).items.map((i) => i.service);

beforeAll(async () => {
  await createTeam(h.sql, alpha);
  await createTeam(h.sql, beta);
  for (const [who, role, team] of [["alice", "viewer", alpha], ["bob", "viewer", beta], ["olga", "operator", alpha], ["ada", "admin", null]] as const) {
    names[who] = unique(who);
    await createUser(h.sql, names[who]!, role, team ? [team] : []);
    keys[who] = (await createKey(h.sql, { name: `${who}'s key`, user: names[who]! }))!.key;
  }
  keys.ingest = (await createKey(h.sql, { name: "ingest for svc-a", services: [svcA] }))!.key;
  keys.bogus = "fsk_zzzzzzzz_" + "x".repeat(43);
  keys.malformed = "hunter2";
  // Events for every service, written as Failsight itself.
  const events = [svcA, svcB, svcG].flatMap((service) =>
    Array.from({ length: 5 }, (_, i) => ({ service, status: i === 0 ? 503 : 200, error_code: i === 0 ? "E_SHARED" : undefined, trace_id: "trace-shared", message: `timeout ${service} ${i}` })),
  );
  await h.sql`INSERT INTO services (name, owner_team) VALUES (${svcA}, ${alpha}), (${svcB}, ${beta}), (${svcG}, ${beta})`;
  await createGrant(h.sql, svcG, { user: names.alice! }, "read");
  expect((await json("ada", "POST", "/v1/logs", events)).status).toBe(200);
});

describe("authentication", () => {
  it.each([["no key", undefined], ["a malformed key", "malformed"], ["an unknown key", "bogus"]])("answers 401 with %s", async (_n, who) => {
    const res = await as(who ?? "nobody", "/logs");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses a revoked key at once and an expired one", async () => {
    const user = unique("temp");
    await createUser(h.sql, user, "viewer", []);
    const created = (await (await json("ada", "POST", "/admin/keys", { name: "temp", user })).json()) as { key: string; prefix: string };
    keys.temp = created.key;
    expect((await as("temp", "/services")).status).toBe(200);
    expect((await json("ada", "POST", `/admin/keys/${created.prefix}/revoke`, {})).status).toBe(200);
    expect((await as("temp", "/services")).status).toBe(401);
    const expired = (await createKey(h.sql, { name: "old", user, expiresInDays: 1 }))!;
    await h.sql`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE prefix = ${expired.prefix}`;
    keys.expired = expired.key;
    const res = await as("expired", "/services");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe("expired key");
  });

  it("leaves probes and docs open", async () => {
    for (const path of ["/health", "/ready", "/openapi.json", "/docs"]) expect((await h.app.request(path)).status, path).toBe(200);
  });
});

describe("the role matrix", () => {
  const read = ["/logs", "/status", `/status/${"SVC"}`, "/services"];
  it.each([
    ["viewer", "alice", { read: 200, ingest: 403, manage: 403, admin: 403 }],
    ["operator", "olga", { read: 200, ingest: 200, manage: 200, admin: 403 }],
    ["admin", "ada", { read: 200, ingest: 200, manage: 200, admin: 200 }],
    ["ingest key", "ingest", { read: 403, ingest: 200, manage: 403, admin: 403 }],
  ] as const)("%s", async (_role, who, expected) => {
    for (const path of read) expect((await as(who, path.replace("SVC", svcA))).status, `${who} GET ${path}`).toBe(expected.read);
    expect((await json(who, "POST", "/v1/logs", [{ service: svcA, message: "matrix" }])).status, `${who} ingest`).toBe(expected.ingest);
    expect((await json(who, "PATCH", `/services/${svcA}`, { tier: 2 })).status, `${who} manage`).toBe(expected.manage);
    for (const path of ["/admin/users", "/admin/teams", "/admin/grants", "/admin/keys", "/admin/audit"]) expect((await as(who, path)).status, `${who} GET ${path}`).toBe(expected.admin);
  });
});

describe("a viewer sees only entitled services, through every endpoint", () => {
  it("in /logs, with no filter, another team's service named, in either order, or by shared codes and traces", async () => {
    const seen = new Set<string>();
    for (const q of ["", `service=${svcB}`, `service=${svcA},${svcB}`, "order=asc", "q=timeout", "trace_id=trace-shared", "error_code=E_SHARED", "status=5xx", "level=trace", "from=now-1h"]) {
      for (const s of await services("alice", `/logs?${q}&limit=1000`)) seen.add(s);
    }
    expect(seen.has(svcA)).toBe(true);
    expect(seen.has(svcG)).toBe(true);
    expect(seen.has(svcB)).toBe(false);
    expect(await services("alice", `/logs?service=${svcB}`)).toEqual([]);
    expect(await services("bob", `/logs?service=${svcG},${svcB}&limit=1000`)).toEqual(expect.arrayContaining([svcB, svcG]));
  });

  it("through a tampered cursor", async () => {
    const first = (await (await as("alice", `/logs?limit=2`)).json()) as { next_cursor: string };
    const cursor = JSON.parse(Buffer.from(first.next_cursor, "base64url").toString());
    // Push the position and the snapshot as far as they go: RLS still decides.
    const tampered = Buffer.from(JSON.stringify({ ...cursor, ts: "9999-01-01T00:00:00.000000Z", id: 2 ** 40, s: 2 ** 40 })).toString("base64url");
    const res = await as("alice", `/logs?limit=1000&cursor=${tampered}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { items: { service: string }[] }).items.every((i) => i.service !== svcB)).toBe(true);
  });

  it("in /status, uptime and state transitions, and /services: another team's service does not exist", async () => {
    const status = ((await (await as("alice", "/status?window=1h")).json()) as { services: { service: string }[] }).services.map((s) => s.service);
    expect(status).toEqual(expect.arrayContaining([svcA, svcG]));
    expect(status).not.toContain(svcB);
    // Its id is known to the API (ingest learned it), so its transitions were read with the evaluation: still a 404.
    expect(h.serviceIds.known([svcB])).toHaveLength(1);
    expect((await as("alice", `/status/${svcB}`)).status).toBe(404);
    expect((await as("alice", `/status/${svcB}/events`)).status).toBe(404);
    const listed = ((await (await as("alice", "/services")).json()) as { items: { name: string }[] }).items.map((s) => s.name);
    expect(listed).not.toContain(svcB);
    expect((await as("alice", `/services/${svcB}`)).status).toBe(404);
    expect((await json("olga", "PATCH", `/services/${svcB}`, { tier: 1 })).status).toBe(404);
  });
});

describe("writes stay within entitlements", () => {
  it("an ingest key writes its own services and nothing else, storing nothing of a mixed batch", async () => {
    const count = async (service: string) => (await h.sql`SELECT count(*)::int AS n FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`)[0]!.n as number;
    const before = await count(svcA);
    expect((await json("ingest", "POST", "/v1/logs", [{ service: svcA, message: "mine" }])).status).toBe(200);
    const mixed = await json("ingest", "POST", "/v1/logs", [{ service: svcA, message: "mine" }, { service: svcB, message: "not mine" }]);
    expect(mixed.status).toBe(403);
    expect(((await mixed.json()) as { detail: string }).detail).toContain(svcB);
    expect(await count(svcA)).toBe(before + 1);
    const brandNew = unique("unscoped");
    expect((await json("ingest", "POST", "/v1/logs", [{ service: brandNew }])).status).toBe(403);
    expect((await h.sql`SELECT count(*)::int AS n FROM services WHERE name = ${brandNew}`)[0]!.n).toBe(0);
  });

  it("an operator writes the services its team owns; row-level security refuses the others", async () => {
    expect((await json("olga", "POST", "/v1/logs", [{ service: svcA, message: "ops" }])).status).toBe(200);
    const res = await json("olga", "POST", "/v1/logs", [{ service: svcB, message: "not ours" }]);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("row-level security in the database itself", () => {
  const raw = createDb(inject("databaseUrl"), { max: 1, applicationName: "failsight-raw" });
  afterAll(() => raw.sql.end());

  it("returns nothing to the application role without the settings", async () => {
    const [row] = await raw.sql`SELECT (SELECT count(*) FROM log_events)::int AS logs, (SELECT count(*) FROM services)::int AS services, (SELECT count(*) FROM status_events)::int AS transitions, (SELECT count(*) FROM audit_log)::int AS audit`;
    expect(row).toEqual({ logs: 0, services: 0, transitions: 0, audit: 0 });
    await expect(raw.sql`INSERT INTO log_events (ts, service_id, level) SELECT now(), id, 'info' FROM services LIMIT 1`).resolves.toHaveLength(0);
  });

  it("with a viewer's settings shows that viewer's rows only", async () => {
    const rows = await raw.sql.begin(async (tx) => {
      const [user] = await h.sql`SELECT id FROM users WHERE name = ${names.alice!}`;
      await tx`SELECT set_config('failsight.scope', 'request', true), set_config('failsight.role', 'viewer', true), set_config('failsight.user_id', ${String(user!.id)}, true)`;
      return tx`SELECT DISTINCT s.name FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name IN (${svcA}, ${svcB}, ${svcG})`;
    });
    expect(rows.map((r) => r.name).sort()).toEqual([svcA, svcG].sort());
  });
});

describe("the audit trail", () => {
  it("records every read of logs with who, filters and rows, readable by admins only", async () => {
    await as("bob", `/logs?service=${svcB}&level=info&limit=3`);
    const res = await as("ada", "/admin/audit?limit=1000");
    expect(res.status).toBe(200);
    const entries = ((await res.json()) as { items: { user: string; role: string; path: string; filters: Record<string, unknown>; row_count: number }[] }).items;
    const bobs = entries.find((e) => e.user === names.bob && (e.filters.service as string[] | undefined)?.includes(svcB));
    expect(bobs).toMatchObject({ role: "viewer", path: "/logs", filters: { service: [svcB], level: "info", limit: 3 }, row_count: 3 });
    expect((await as("bob", "/admin/audit")).status).toBe(403);
  });

  it("is append-only, even for Failsight itself", async () => {
    // Other files append entries meanwhile (one database per run): the entries that exist
    // now are the ones that must stay as they are.
    const [{ last }] = (await h.sql`SELECT max(id)::float8 AS last FROM audit_log`) as unknown as [{ last: number }];
    const snapshot = async () => (await h.sql`SELECT count(*)::int AS n, sum(row_count)::int AS rows FROM audit_log WHERE id <= ${last}`)[0];
    const before = await snapshot();
    expect(before!.n).toBeGreaterThan(0);
    // No UPDATE or DELETE policy: row-level security hides every row from both...
    expect(await h.sql`UPDATE audit_log SET row_count = 0`).toHaveLength(0);
    expect(await h.sql`DELETE FROM audit_log`).toHaveLength(0);
    expect(await snapshot()).toEqual(before);
    // ...and TRUNCATE, which row-level security does not cover, meets the trigger (as would
    // UPDATE and DELETE from a superuser).
    await expect(h.sql`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
  });
});

describe("administration through the API", () => {
  it("creates a team, a user in it, a grant and a key that then works with exactly those rights", async () => {
    const team = unique("gamma");
    const user = unique("gina");
    expect((await json("ada", "POST", "/admin/teams", { name: team })).status).toBe(201);
    expect((await json("ada", "POST", "/admin/teams", { name: team })).status).toBe(409);
    expect((await json("ada", "POST", "/admin/users", { name: user, role: "viewer", teams: [team] })).status).toBe(201);
    const grant = await json("ada", "POST", "/admin/grants", { service: svcB, team, access: "read" });
    expect(grant.status).toBe(201);
    const created = (await (await json("ada", "POST", "/admin/keys", { name: "gina", user })).json()) as { key: string; prefix: string };
    expect(created.key).toMatch(/^fsk_[a-z0-9]{8}_/);
    keys.gina = created.key;
    expect(await services("gina", `/logs?service=${svcB},${svcA}&limit=1000`)).not.toContain(svcA);
    expect(await services("gina", `/logs?service=${svcB}&limit=1`)).toEqual([svcB]);
    const listed = ((await (await as("ada", "/admin/keys")).json()) as { items: { prefix: string }[] }).items;
    expect(listed.some((k) => k.prefix === created.prefix)).toBe(true);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const stored = await h.sql`SELECT secret_hash FROM api_keys WHERE prefix = ${created.prefix}`;
    expect(stored[0]!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.key).not.toContain(stored[0]!.secret_hash);
    await addMember(h.sql, alpha, user);
    expect(await services("gina", `/logs?service=${svcA}&limit=1`)).toEqual([svcA]);
  });
});
