import { beforeAll, describe, expect, it } from "vitest";
import { errorContentType } from "../test-support/error-shape.ts";
import { testHarness, unique, type Caller } from "../test-support/harness.ts";

// Every route of the OpenAPI document × every kind of caller, through the real app and the
// real database. The expectations here are written independently of the routes' own
// declarations (ROLES_FOR, access()), so a guard removed from a handler, a role added to a
// declaration, or a policy relaxed in the database each fail a row of this matrix. For
// reads it checks exactly which services' rows come back; for refused writes, that nothing
// changed.

const h = testHarness();

type Who = "admin" | "operatorWrite" | "operatorRead" | "viewer" | "ingest" | "anonymous" | "revoked";
const EVERYONE: Who[] = ["admin", "operatorWrite", "operatorRead", "viewer", "ingest", "anonymous", "revoked"];
type Access = "public" | "read" | "ingest" | "manage" | "admin";
/** Which key kinds each access level admits: the product's rule, stated once for this test. */
const ADMITS: Record<Exclude<Access, "public">, Who[]> = {
  read: ["admin", "operatorWrite", "operatorRead", "viewer"],
  ingest: ["admin", "operatorWrite", "operatorRead", "ingest"],
  manage: ["admin", "operatorWrite", "operatorRead"],
  admin: ["admin"],
};
const ROLE_NAMES: Record<Exclude<Access, "public">, string[]> = {
  read: ["viewer", "operator", "admin"],
  ingest: ["ingest", "operator", "admin"],
  manage: ["operator", "admin"],
  admin: ["admin"],
};

const team = unique("team-matrix");
const otherTeam = unique("team-other");
const own = unique("svc-own"); // owned by `team`
const granted = unique("svc-granted"); // owned by otherTeam; granted to the operators
const hidden = unique("svc-hidden"); // owned by otherTeam; granted to nobody
const opsTeam = unique("team-ops"); // the operators' team: owns none of the services above
const ALL = [own, granted, hidden];
/** The services each caller may read, by the rules of access control. */
const SEES: Partial<Record<Who, string[]>> = { admin: ALL, operatorWrite: [granted], operatorRead: [granted], viewer: [own] };

const callers = {} as Record<Who, Caller>;

beforeAll(async () => {
  await h.sql`INSERT INTO teams (name) VALUES (${team}), (${otherTeam})`;
  await h.sql`INSERT INTO services (name, owner_team) VALUES (${own}, ${team}), (${granted}, ${otherTeam}), (${hidden}, ${otherTeam})`;
  callers.admin = await h.caller({ role: "admin" });
  callers.operatorWrite = await h.caller({ role: "operator", teams: [opsTeam], grants: [{ service: granted, access: "write" }] });
  callers.operatorRead = await h.caller({ role: "operator", teams: [opsTeam], grants: [{ service: granted, access: "read" }] });
  callers.viewer = await h.caller({ role: "viewer", teams: [team] });
  callers.ingest = await h.caller({ ingest: [own] });
  callers.anonymous = await h.caller({ anonymous: true });
  callers.revoked = await h.caller({ revoked: "admin" });
  const events = ALL.flatMap((service) => [0, 1, 2].map((i) => ({ service, status: i ? 200 : 503, message: `matrix ${i}` })));
  expect((await callers.admin.postJson("/v1/logs", events)).status).toBe(200);
  const issued = await callers.admin.postJson(`/services/${own}/heartbeat`, { period_seconds: 3600 });
  pingToken = ((await issued.json()) as { token: string }).token;
  await ensureHeartbeat(granted);
  for (const service of ALL) await ensureCheck(service);
  for (const service of ALL) {
    await h.sql`WITH w AS (INSERT INTO maintenance_windows (title, starts_at, ends_at) VALUES (${`mw-${service}`}, now() + interval '1 day', now() + interval '2 days') RETURNING id)
                INSERT INTO maintenance_services SELECT w.id, s.id FROM w, services s WHERE s.name = ${service}`;
    const [incident] = await h.sql<{ id: number }[]>`WITH i AS (INSERT INTO incidents (title) VALUES (${`inc-${service}`}) RETURNING id)
                INSERT INTO incident_services SELECT i.id, s.id FROM i, services s WHERE s.name = ${service} RETURNING incident_id AS id`;
    incidentOf[service] = incident!.id;
  }
  await h.sql`INSERT INTO status_pages (slug, title, public, services) VALUES (${pageSlug}, 'Matrix', true, ${ALL})`;
});

const incidentOf: Record<string, number> = {};
const pageSlug = unique("page-matrix");
/** The services of every item a list shows (each item covers several). */
const covered = (body: unknown) => ((body as { items: { services: string[] }[] }).items ?? []).flatMap((i) => i.services).filter((s) => ALL.includes(s));
const maintenanceOf = async (service: string) =>
  (await h.sql<{ id: number }[]>`SELECT w.id FROM maintenance_windows w JOIN maintenance_services l ON l.window_id = w.id JOIN services s ON s.id = l.service_id WHERE s.name = ${service} AND w.ends_at > now() AND w.title = ${`mw-${service}`}`)[0]?.id;
const ensureMaintenance = async (service: string) => {
  if (await maintenanceOf(service)) return;
  await h.sql`WITH w AS (INSERT INTO maintenance_windows (title, starts_at, ends_at) VALUES (${`mw-${service}`}, now() + interval '1 day', now() + interval '2 days') RETURNING id)
              INSERT INTO maintenance_services SELECT w.id, s.id FROM w, services s WHERE s.name = ${service}`;
};
let updatesBefore = 0;
const updatesOf = async (id: number) => Number((await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM incident_updates WHERE incident_id = ${id}`)[0]!.n);

/** A check of each service, never due (the matrix reads and deletes them; it does not probe). */
const checkOf = (service: string) => `chk-${service}`;
const ensureCheck = (service: string) =>
  h.sql`INSERT INTO checks (name, service_id, kind, spec, interval_seconds, timeout_ms, next_run_at)
        SELECT ${checkOf(service)}, id, 'tcp', '{"host":"127.0.0.1","port":9}', 3600, 1000, now() + interval '1 day' FROM services WHERE name = ${service}
        ON CONFLICT (name) DO NOTHING`;

/** The token of `own`'s heartbeat: a ping needs no key, so every caller's ping counts. */
let pingToken = "";
const ensureHeartbeat = (service: string) =>
  h.sql`INSERT INTO heartbeats (service_id, token_hash, period_seconds, grace_seconds) SELECT id, md5(random()::text), 60, 60 FROM services WHERE name = ${service} ON CONFLICT DO NOTHING`;
const heartbeatOf = async (service: string) =>
  (await h.sql<{ token_hash: string }[]>`SELECT token_hash FROM heartbeats WHERE service_id = (SELECT id FROM services WHERE name = ${service})`)[0]?.token_hash;
let heartbeatBefore: string | undefined;

/** A request for a route, made fresh for each caller (writes use new names), and what a success looks like. */
type Case = {
  access: Access;
  call: (c: Caller) => Promise<Response>;
  /** For entitled callers: the status row-level security and the route decide (default 2xx). */
  entitled?: (who: Who) => number;
  /** For reads: the services whose rows are in the body. */
  services?: (body: unknown) => string[];
  /** For writes: whether the change is visible afterwards (checked for refused callers too). */
  changed?: () => Promise<boolean>;
};

const items = (key: "items" | "services", field: string) => (body: unknown) =>
  ((body as Record<string, Record<string, string>[]>)[key] ?? []).map((row) => row[field]!).filter((s) => ALL.includes(s));
const seesGranted = (who: Who) => (SEES[who]?.includes(granted) ? 200 : 404);

const lokiSelector = `{service=~"${ALL.join("|")}"}`;
const lokiData = <T>(body: unknown) => (body as { data: { result: T } }).data;
const lokiStreams = (body: unknown) => lokiData<{ stream: { service: string } }[]>(body).result.map((r) => r.stream.service);

let lastName = "";
const fresh = (prefix: string) => (lastName = unique(prefix));
const exists = (table: "users" | "teams" | "services" | "checks") => async () => (await h.sql`SELECT 1 FROM ${h.sql(table)} WHERE name = ${lastName}`).length > 0;

const CASES: Record<string, Case> = {
  "GET /": { access: "public", call: (c) => c.get("/") },
  "GET /health": { access: "public", call: (c) => c.get("/health") },
  "GET /ready": { access: "public", call: (c) => c.get("/ready") },
  // Per-service metrics name every team's services: admins (and the scrape token, in metrics.test.ts) only.
  "GET /metrics": { access: "admin", call: (c) => c.get("/metrics") },
  "GET /openapi.json": { access: "public", call: (c) => c.get("/openapi.json") },
  "GET /docs": { access: "public", call: (c) => c.get("/docs") },
  "GET /logs": { access: "read", call: (c) => c.get(`/logs?service=${ALL.join(",")}&limit=1000`), services: items("items", "service") },
  "GET /status": { access: "read", call: (c) => c.get("/status?window=1h"), services: items("services", "service") },
  "GET /status/{service}": { access: "read", call: (c) => c.get(`/status/${granted}`), entitled: seesGranted },
  "GET /status/{service}/events": { access: "read", call: (c) => c.get(`/status/${granted}/events`), entitled: seesGranted },
  "GET /services": { access: "read", call: (c) => c.get("/services"), services: items("items", "name") },
  "GET /services/{name}": { access: "read", call: (c) => c.get(`/services/${granted}`), entitled: seesGranted },
  "POST /services": { access: "manage", call: (c) => c.postJson("/services", { name: fresh("svc-new") }), entitled: () => 201, changed: exists("services") },
  "PATCH /services/{name}": {
    access: "manage",
    call: (c) => c.patchJson(`/services/${granted}`, { tier: 2 }),
    // Only a write grant (or admin) lets an operator change another team's service; a read grant shows it but changes nothing.
    entitled: (who) => (who === "operatorRead" ? 404 : 200),
  },
  "GET /services/{name}/dependencies": { access: "read", call: (c) => c.get(`/services/${granted}/dependencies`), entitled: seesGranted },
  "POST /maintenance": {
    access: "manage",
    call: (c) => c.postJson("/maintenance", { title: fresh("mw-new"), services: [granted], starts_at: new Date(Date.now() + 86_400_000).toISOString(), ends_at: new Date(Date.now() + 90_000_000).toISOString() }),
    // A read grant shows the service but does not let the operator hold it.
    entitled: (who) => (who === "operatorRead" ? 403 : 201),
    changed: async () => (await h.sql`SELECT 1 FROM maintenance_windows WHERE title = ${lastName}`).length > 0,
  },
  "GET /maintenance": { access: "read", call: (c) => c.get("/maintenance"), services: covered },
  "DELETE /maintenance/{id}": {
    access: "manage",
    call: async (c) => {
      await ensureMaintenance(granted);
      return c.send("DELETE", `/maintenance/${await maintenanceOf(granted)}`);
    },
    entitled: (who) => (who === "operatorRead" ? 403 : 204),
    changed: async () => (await maintenanceOf(granted)) === undefined,
  },
  "POST /incidents": {
    access: "manage",
    call: (c) => c.postJson("/incidents", { title: fresh("inc-new"), services: [granted], message: "matrix" }),
    entitled: (who) => (who === "operatorRead" ? 403 : 201),
    changed: async () => (await h.sql`SELECT 1 FROM incidents WHERE title = ${lastName}`).length > 0,
  },
  "GET /incidents": { access: "read", call: (c) => c.get("/incidents"), services: covered },
  "GET /incidents/{id}": { access: "read", call: (c) => c.get(`/incidents/${incidentOf[granted]}`), entitled: seesGranted },
  "POST /incidents/{id}/updates": {
    access: "manage",
    call: async (c) => {
      updatesBefore = await updatesOf(incidentOf[granted]!);
      return c.postJson(`/incidents/${incidentOf[granted]}/updates`, { status: "monitoring", message: "matrix" });
    },
    entitled: (who) => (who === "operatorRead" ? 403 : 201),
    changed: async () => (await updatesOf(incidentOf[granted]!)) > updatesBefore,
  },
  "PUT /status-pages/{slug}": {
    access: "admin",
    call: (c) => c.send("PUT", `/status-pages/${fresh("page-new")}`, { title: "New", services: [own] }),
    entitled: () => 201,
    changed: async () => (await h.sql`SELECT 1 FROM status_pages WHERE slug = ${lastName}`).length > 0,
  },
  "GET /status-pages": { access: "admin", call: (c) => c.get("/status-pages") },
  "DELETE /status-pages/{slug}": {
    access: "admin",
    call: async (c) => {
      await h.sql`INSERT INTO status_pages (slug, title, services) VALUES (${fresh("page-gone")}, 'Gone', ${[own]})`;
      return c.send("DELETE", `/status-pages/${lastName}`);
    },
    entitled: () => 204,
    changed: async () => (await h.sql`SELECT 1 FROM status_pages WHERE slug = ${lastName}`).length === 0,
  },
  // A public page: anyone, with any key or none, reads what Failsight itself evaluated.
  "GET /status-pages/{slug}": { access: "public", call: (c) => c.get(`/status-pages/${pageSlug}`) },
  "POST /checks": {
    access: "manage",
    call: (c) => c.postJson("/checks", { name: fresh("chk-new"), service: granted, interval_seconds: 3600, tcp: { host: "127.0.0.1", port: 9 } }),
    // A read grant shows the service, and the checks_write policy refuses the write.
    entitled: (who) => (who === "operatorRead" ? 403 : 201),
    changed: exists("checks"),
  },
  "GET /checks": { access: "read", call: (c) => c.get("/checks"), services: items("items", "service") },
  "GET /checks/{name}": { access: "read", call: (c) => c.get(`/checks/${checkOf(granted)}`), entitled: seesGranted },
  "DELETE /checks/{name}": {
    access: "manage",
    call: async (c) => {
      await ensureCheck(granted);
      return c.send("DELETE", `/checks/${checkOf(granted)}`);
    },
    entitled: (who) => (who === "operatorRead" ? 404 : 204),
    changed: async () => (await h.sql`SELECT 1 FROM checks WHERE name = ${checkOf(granted)}`).length === 0,
  },
  "POST /services/{name}/heartbeat": {
    access: "manage",
    call: async (c) => {
      heartbeatBefore = await heartbeatOf(granted);
      return c.postJson(`/services/${granted}/heartbeat`, { period_seconds: 60 });
    },
    // A read grant shows the service, and the heartbeats_write policy refuses the write.
    entitled: (who) => (who === "operatorRead" ? 403 : 201),
    changed: async () => (await heartbeatOf(granted)) !== heartbeatBefore,
  },
  "GET /services/{name}/heartbeat": { access: "read", call: (c) => c.get(`/services/${granted}/heartbeat`), entitled: seesGranted },
  "DELETE /services/{name}/heartbeat": {
    access: "manage",
    call: async (c) => {
      await ensureHeartbeat(granted);
      return c.send("DELETE", `/services/${granted}/heartbeat`);
    },
    entitled: (who) => (who === "operatorRead" ? 404 : 204),
    changed: async () => (await heartbeatOf(granted)) === undefined,
  },
  ...Object.fromEntries(
    ["", "/fail", "/start"].flatMap((signal) =>
      ["GET", "POST"].map((method) => [`${method} /ping/{token}${signal}`, { access: "public", call: (c: Caller) => c.send(method, `/ping/${pingToken}${signal}`) } satisfies Case]),
    ),
  ),
  "POST /v1/logs": {
    access: "ingest",
    call: (c) => {
      // Cold: the admin's earlier batch must not be what lets the next caller in.
      h.serviceIds.clear();
      return c.postJson("/v1/logs", [{ service: granted, message: (lastName = unique("ingested")) }]);
    },
    // The ingest key's scope is `own`, the read-only operator has no write grant.
    entitled: (who) => (who === "ingest" || who === "operatorRead" ? 403 : 200),
    changed: async () => (await h.sql`SELECT 1 FROM log_events WHERE message = ${lastName}`).length > 0,
  },
  "POST /otlp/v1/logs": {
    access: "ingest",
    call: (c) => {
      h.serviceIds.clear();
      lastName = unique("otlp-ingested");
      const record = { body: { stringValue: lastName } };
      return c.postJson("/otlp/v1/logs", { resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: granted } }] }, scopeLogs: [{ logRecords: [record] }] }] });
    },
    entitled: (who) => (who === "ingest" || who === "operatorRead" ? 403 : 200),
    changed: async () => (await h.sql`SELECT 1 FROM log_events WHERE message = ${lastName}`).length > 0,
  },
  "POST /loki/api/v1/push": {
    access: "ingest",
    call: (c) => {
      h.serviceIds.clear();
      lastName = unique("loki-ingested");
      return c.postJson("/loki/api/v1/push", { streams: [{ stream: { service_name: granted }, values: [[`${Date.now()}000000`, lastName]] }] });
    },
    entitled: (who) => (who === "ingest" || who === "operatorRead" ? 403 : 204),
    changed: async () => (await h.sql`SELECT 1 FROM log_events WHERE message = ${lastName}`).length > 0,
  },
  // Failsight as Grafana's Loki datasource: the same entitlements as /logs, per endpoint.
  "GET /loki/api/v1/query_range": { access: "read", call: (c) => c.get(`/loki/api/v1/query_range?${new URLSearchParams({ query: lokiSelector, limit: "1000" })}`), services: lokiStreams },
  "GET /loki/api/v1/query": {
    access: "read",
    call: (c) => c.get(`/loki/api/v1/query?${new URLSearchParams({ query: `sum by (service) (count_over_time(${lokiSelector}[1h]))` })}`),
    services: (body) => lokiData<{ metric: { service: string } }[]>(body).result.map((r) => r.metric.service).filter((s) => ALL.includes(s)),
  },
  "GET /loki/api/v1/labels": { access: "read", call: (c) => c.get("/loki/api/v1/labels") },
  "GET /loki/api/v1/label/{name}/values": { access: "read", call: (c) => c.get("/loki/api/v1/label/service/values"), services: (body) => (body as { data: string[] }).data.filter((s) => ALL.includes(s)) },
  "GET /loki/api/v1/series": {
    access: "read",
    call: (c) => c.get(`/loki/api/v1/series?${new URLSearchParams({ "match[]": lokiSelector })}`),
    services: (body) => (body as { data: { service: string }[] }).data.map((s) => s.service),
  },
  "GET /loki/api/v1/index/stats": { access: "read", call: (c) => c.get(`/loki/api/v1/index/stats?${new URLSearchParams({ query: lokiSelector })}`) },
  "GET /loki/api/v1/index/volume": {
    access: "read",
    call: (c) => c.get(`/loki/api/v1/index/volume?${new URLSearchParams({ query: lokiSelector })}`),
    services: (body) => lokiData<{ metric: { service: string } }[]>(body).result.map((r) => r.metric.service),
  },
  // Without a WebSocket upgrade an admitted caller is told to upgrade (tail.test.ts tails for real).
  "GET /loki/api/v1/tail": { access: "read", call: (c) => c.get(`/loki/api/v1/tail?${new URLSearchParams({ query: lokiSelector })}`), entitled: () => 400 },
  "GET /loki/api/v1/status/buildinfo": { access: "read", call: (c) => c.get("/loki/api/v1/status/buildinfo") },
  "GET /admin/users": { access: "admin", call: (c) => c.get("/admin/users") },
  "POST /admin/users": { access: "admin", call: (c) => c.postJson("/admin/users", { name: fresh("user"), role: "admin" }), entitled: () => 201, changed: exists("users") },
  "GET /admin/teams": { access: "admin", call: (c) => c.get("/admin/teams") },
  "POST /admin/teams": { access: "admin", call: (c) => c.postJson("/admin/teams", { name: fresh("team") }), entitled: () => 201, changed: exists("teams") },
  "PUT /admin/teams/{team}/members/{user}": {
    access: "admin",
    call: async (c) => {
      await h.sql`DELETE FROM team_members m USING teams t, users u WHERE m.team_id = t.id AND m.user_id = u.id AND t.name = ${otherTeam} AND u.name = ${callers.viewer.user!}`;
      return c.send("PUT", `/admin/teams/${otherTeam}/members/${callers.viewer.user}`);
    },
    entitled: () => 204,
    changed: async () => (await h.sql`SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id WHERE t.name = ${otherTeam} AND u.name = ${callers.viewer.user!}`).length > 0,
  },
  "DELETE /admin/teams/{team}/members/{user}": {
    access: "admin",
    call: async (c) => {
      await h.sql`INSERT INTO team_members (team_id, user_id) SELECT t.id, u.id FROM teams t, users u WHERE t.name = ${otherTeam} AND u.name = ${callers.viewer.user!} ON CONFLICT DO NOTHING`;
      return c.send("DELETE", `/admin/teams/${otherTeam}/members/${callers.viewer.user}`);
    },
    entitled: () => 204,
    changed: async () => (await h.sql`SELECT 1 FROM team_members m JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id WHERE t.name = ${otherTeam} AND u.name = ${callers.viewer.user!}`).length === 0,
  },
  "GET /admin/grants": { access: "admin", call: (c) => c.get("/admin/grants") },
  "POST /admin/grants": {
    access: "admin",
    call: async (c) => {
      await h.sql`DELETE FROM grants g USING users u, services s WHERE g.user_id = u.id AND g.service_id = s.id AND u.name = ${callers.viewer.user!} AND s.name = ${hidden}`;
      return c.postJson("/admin/grants", { service: hidden, user: callers.viewer.user, access: "write" });
    },
    entitled: () => 201,
    changed: async () => (await h.sql`SELECT 1 FROM grants g JOIN users u ON u.id = g.user_id JOIN services s ON s.id = g.service_id WHERE u.name = ${callers.viewer.user!} AND s.name = ${hidden}`).length > 0,
  },
  "DELETE /admin/grants/{id}": {
    access: "admin",
    call: async (c) => {
      const [g] = await h.sql<{ id: number }[]>`INSERT INTO grants (service_id, team_id, access) SELECT s.id, t.id, 'read' FROM services s, teams t WHERE s.name = ${hidden} AND t.name = ${otherTeam} RETURNING id`;
      lastName = String(g!.id);
      return c.send("DELETE", `/admin/grants/${g!.id}`);
    },
    entitled: () => 204,
    changed: async () => (await h.sql`SELECT 1 FROM grants WHERE id = ${Number(lastName)}`).length === 0,
  },
  "GET /admin/keys": { access: "admin", call: (c) => c.get("/admin/keys") },
  "POST /admin/keys": {
    access: "admin",
    call: (c) => c.postJson("/admin/keys", { name: fresh("key"), user: callers.admin.user }),
    entitled: () => 201,
    changed: async () => (await h.sql`SELECT 1 FROM api_keys WHERE name = ${lastName}`).length > 0,
  },
  "POST /admin/keys/{prefix}/revoke": {
    access: "admin",
    call: async (c) => {
      const victim = await h.caller({ role: "viewer" });
      lastName = victim.key!.split("_")[1]!;
      return c.postJson(`/admin/keys/${lastName}/revoke`, {});
    },
    entitled: () => 200,
    changed: async () => (await h.sql`SELECT 1 FROM api_keys WHERE prefix = ${lastName} AND revoked_at IS NOT NULL`).length > 0,
  },
  "GET /admin/audit": { access: "admin", call: (c) => c.get("/admin/audit") },
};

/** Public routes that serve the docs themselves or Prometheus, not the API. */
const UNDOCUMENTED = ["GET /openapi.json", "GET /docs"];

type Operation = { "x-failsight-roles"?: string[]; security?: unknown[] };

describe("the role × route matrix", () => {
  it("covers every route of the OpenAPI document, with the roles each declares", async () => {
    const doc = (await (await h.get("/openapi.json")).json()) as { paths: Record<string, Record<string, Operation>> };
    const declared = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const));
    expect(declared.map(([route]) => route).sort()).toEqual(Object.keys(CASES).filter((r) => !UNDOCUMENTED.includes(r)).sort());
    for (const [route, op] of declared) {
      const access = CASES[route]!.access;
      expect(op["x-failsight-roles"] ?? null, route).toEqual(access === "public" ? null : ROLE_NAMES[access]);
    }
  });

  const rows = Object.entries(CASES).flatMap(([route, c]) => EVERYONE.map((who) => [route, who, c] as const));
  it.each(rows)("%s as %s", async (route, who, c) => {
    const res = await c.call(callers[who]);
    const admitted = c.access === "public" || ADMITS[c.access].includes(who);
    const expected = c.access === "public" ? 200 : who === "anonymous" || who === "revoked" ? 401 : !admitted ? 403 : (c.entitled?.(who) ?? 200);
    expect(res.status, `${route} as ${who}: ${await res.clone().text()}`).toBe(expected);
    if (res.status >= 400) expect(res.headers.get("content-type"), route).toBe(errorContentType(route.split(" ")[1]!));
    if (c.changed) expect(await c.changed(), `${route} as ${who}: changed`).toBe(expected < 300);
    if (c.services && expected === 200) expect(new Set(c.services(await res.json())), `${route} as ${who}: services`).toEqual(new Set(SEES[who]));
  });
});
