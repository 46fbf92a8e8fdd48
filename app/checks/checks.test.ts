import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testHarness, unique } from "../test-support/harness.ts";
import { freePort } from "../test-support/free-port.ts";
import { tempFolder } from "../test-support/temp-folder.ts";
import { startCheckRunner } from "./runner.ts";
import { startStatusTracker } from "../status/tracker.ts";
import { asActor } from "../db/scoped.ts";

// Uptime checks end to end: created through the API as an admin and as operators, probed by
// the real runner (as Failsight, on the owner's connection, as the API process runs it)
// against real servers this file starts, and read back from /checks, /status and /logs.

const h = testHarness();
let runner: ReturnType<typeof startCheckRunner>;
let tracker: ReturnType<typeof startStatusTracker>;

/** An HTTP server whose answer the test switches: 200 "ok", 500, or never answering. */
let mode: "ok" | "error" | "hang" = "ok";
/** `/flaky` answers 503 once when this is set, then 200 again. */
let flakyOnce = false;
let web: Server;
let webUrl = "";

beforeAll(async () => {
  // As the API process wires them: a changed outcome makes the tracker record the transition at once.
  tracker = startStatusTracker(h.sql, 3_600_000);
  runner = startCheckRunner({ sql: h.sql, serviceIds: h.serviceIds, source: "api", concurrency: 8, tickMs: 100, onOutcomeChange: () => tracker.runNow() });
  web = createHttpServer((req, res) => {
    if (req.url === "/flaky") {
      const fail = flakyOnce;
      flakyOnce = false;
      return res.writeHead(fail ? 503 : 200).end(fail ? "busy" : "ok");
    }
    if (mode === "hang") return; // accepts, reads, never answers
    if (mode === "error") return res.writeHead(500).end("boom");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", db: { healthy: true } }));
  });
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/healthz`;
});

afterAll(async () => {
  await runner.stop();
  await tracker.stop();
  web.closeAllConnections();
  await new Promise((resolve) => web.close(resolve));
});

type CheckBody = { state: string; reason: string; last_result: { outcome: string; error_code: string | null; message: string; latency_ms: number | null } | null; http?: Record<string, unknown> };

async function createCheck(body: Record<string, unknown>) {
  const res = await h.postJson("/checks", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CheckBody;
}

/** Polls until `until` holds, and answers how long it took (ms); fails after `withinMs`. */
async function waitFor<T>(read: () => Promise<T>, until: (value: T) => boolean, withinMs: number): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  let value = await read();
  while (!until(value)) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms; last: ${JSON.stringify(value)}`);
    await sleep(50);
    value = await read();
  }
  return { value, ms: Date.now() - started };
}

const status = async (service: string) => (await (await h.get(`/status/${service}`)).json()) as { state: string; reason: string };
const check = async (name: string) => (await (await h.get(`/checks/${name}`)).json()) as CheckBody;
const events = async (service: string) =>
  ((await (await h.get(`/logs?service=${service}&limit=100`)).json()) as { items: { level: string; message: string; error_code: string | null; latency_ms: number | null; attributes: Record<string, unknown> }[] }).items;

/** One interval, both attempts' timeouts, the retry's delay and a runner tick, plus a second's slack for a busy machine. */
const FLIP_WITHIN_MS = 1_000 + 2 * 300 + 250 + 100 + 1_000;

describe("HTTP checks against a real server", () => {
  it("follows the target from up to down (500, then no answer) within one interval and a retry, and back", async () => {
    mode = "ok";
    const service = unique("web");
    const name = unique("web-health");
    const created = await createCheck({ name, service, interval_seconds: 1, timeout_ms: 300, http: { url: webUrl, json_path: "$.db.healthy", json_equals: true } });
    expect(created).toMatchObject({ state: "unknown", reason: "not probed yet", last_result: null });

    // (The verdict counts, not the first event: see evaluateServices on the order of its reads.)
    const up = await waitFor(() => status(service), (s) => s.state === "up" && s.reason.startsWith("check "), 3_000);
    expect(up.value.reason).toMatch(new RegExp(`^check ${name}: answered 200 in \\d+ ms$`));

    mode = "error";
    const down = await waitFor(() => status(service), (s) => s.state === "down" && s.reason.startsWith("check "), 5_000);
    expect(down.ms).toBeLessThan(FLIP_WITHIN_MS);
    expect(down.value.reason).toMatch(new RegExp(`^check ${name}: UNEXPECTED_STATUS: answered 500, expected 2xx or 3xx \\(\\d+s ago\\)$`));

    // Uptime follows too: the transitions the tracker recorded when the outcome changed.
    const detail = await waitFor(
      async () => (await (await h.get(`/status/${service}`)).json()) as { uptime: { "24h": number | null } },
      (d) => d.uptime["24h"] !== null && d.uptime["24h"] < 1,
      3_000,
    );
    expect(detail.value.uptime["24h"]).toBeGreaterThan(0);
    const transitions = ((await (await h.get(`/status/${service}/events?from=now-1h`)).json()) as { items: { to: string; reason: string }[] }).items;
    expect(transitions.map((t) => t.to)).toEqual(["up", "down"]);
    expect(transitions[1]!.reason).toMatch(new RegExp(`^check ${name}: UNEXPECTED_STATUS`));

    mode = "hang";
    const timedOut = await waitFor(() => check(name), (c) => c.last_result?.error_code === "TIMEOUT", 5_000);
    expect(timedOut.ms).toBeLessThan(FLIP_WITHIN_MS);
    expect(timedOut.value).toMatchObject({ state: "down", last_result: { outcome: "fail", latency_ms: null, message: "TIMEOUT: no answer within 300 ms" } });

    // Back: the check passes again at once; the failures stay errors of the window, so the
    // state is the error rate's (degraded, or down while they are half) until they leave it,
    // as with any events.
    mode = "ok";
    await waitFor(() => check(name), (c) => c.last_result?.outcome === "pass", 5_000);
    expect((await check(name)).state).toBe("up");
    expect((await status(service)).reason).toMatch(/^error rate \d+\.\d% ≥ (5|50)\.0%$/);

    // Every confirmed result is an event of the service; a failure is an error, confirmed by a retry.
    const stored = await events(service);
    const failure = stored.find((e) => e.error_code === "UNEXPECTED_STATUS")!;
    expect(failure).toMatchObject({ level: "error", attributes: { source: "check", check: name, kind: "http", outcome: "fail", response_status: 500, retried: true } });
    expect(failure.attributes["first_attempt"]).toMatch(/^UNEXPECTED_STATUS/);
    expect(stored.find((e) => e.error_code === "TIMEOUT")).toMatchObject({ level: "error", latency_ms: null });
    expect(stored.filter((e) => e.attributes["outcome"] === "pass").every((e) => e.level === "info" && e.latency_ms! > 0)).toBe(true);
  });

  it("does not flip on one failure that its retry overrules", async () => {
    const service = unique("flaky");
    const name = unique("flaky-health");
    await createCheck({ name, service, interval_seconds: 1, timeout_ms: 300, http: { url: webUrl.replace("/healthz", "/flaky") } });
    await waitFor(() => check(name), (c) => c.last_result?.outcome === "pass", 3_000);
    flakyOnce = true;
    const overruled = await waitFor(() => events(service), (items) => items.some((e) => e.attributes["retried"] === true), 5_000);
    expect(overruled.value.find((e) => e.attributes["retried"])).toMatchObject({ level: "info", attributes: { outcome: "pass", first_attempt: expect.stringMatching(/^UNEXPECTED_STATUS: answered 503/) } });
    expect(overruled.value.some((e) => e.level === "error")).toBe(false);
    expect((await status(service)).state).toBe("up");
  });

  it("fails on a missing keyword or JSON value, and never shows header values", async () => {
    mode = "ok";
    const service = unique("kw");
    const keyword = unique("kw-check");
    await createCheck({ name: keyword, service, interval_seconds: 1, timeout_ms: 500, http: { url: webUrl, body_contains: "maintenance", headers: { authorization: "Bearer s3cret" } } });
    const json = unique("json-check");
    await createCheck({ name: json, service, interval_seconds: 1, timeout_ms: 500, http: { url: webUrl, json_path: "$.status", json_equals: "degraded" } });
    expect((await waitFor(() => check(keyword), (c) => c.last_result !== null, 5_000)).value.last_result).toMatchObject({ outcome: "fail", error_code: "KEYWORD_MISSING" });
    expect((await waitFor(() => check(json), (c) => c.last_result !== null, 5_000)).value.last_result).toMatchObject({ outcome: "fail", error_code: "JSON_VALUE_MISMATCH", message: 'JSON_VALUE_MISMATCH: $.status is "ok", expected "degraded"' });
    const shown = await check(keyword);
    expect(shown.http!["headers"]).toEqual({ authorization: "(set)" });
    expect(JSON.stringify(await (await h.get(`/checks?service=${service}`)).json())).not.toContain("s3cret");
  });
});

describe("TCP and TLS checks", () => {
  it("reports a closed port as CONNECTION_REFUSED and an open one as up", async () => {
    const service = unique("tcp");
    const closed = unique("tcp-closed");
    await createCheck({ name: closed, service, interval_seconds: 1, timeout_ms: 500, tcp: { host: "127.0.0.1", port: await freePort() } });
    const refused = await waitFor(() => check(closed), (c) => c.last_result !== null, 5_000);
    expect(refused.value).toMatchObject({ state: "down", last_result: { outcome: "fail", error_code: "CONNECTION_REFUSED", latency_ms: null } });
    expect((await status(service)).reason).toMatch(new RegExp(`^check ${closed}: CONNECTION_REFUSED`));

    const openService = unique("tcp-open");
    const open = unique("tcp-open-check");
    await createCheck({ name: open, service: openService, interval_seconds: 1, timeout_ms: 500, tcp: { host: "127.0.0.1", port: (web.address() as AddressInfo).port } });
    expect((await waitFor(() => check(open), (c) => c.last_result !== null, 5_000)).value).toMatchObject({ state: "up", last_result: { outcome: "pass" } });
  });

  it("warns (degraded) of a certificate that expires tomorrow, and refuses one it cannot trust", async () => {
    const folder = tempFolder("tls-check");
    const [key, cert] = [path.join(folder.path, "key.pem"), path.join(folder.path, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
    const pem = readFileSync(cert, "utf8");
    const server = createHttpsServer({ key: readFileSync(key), cert: pem }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    try {
      const service = unique("tls");
      const trusted = unique("tls-trusted");
      await createCheck({ name: trusted, service, interval_seconds: 1, timeout_ms: 2_000, http: { url, tls_ca: pem } });
      const warned = await waitFor(() => status(service), (s) => s.state !== "unknown", 8_000);
      expect(warned.value).toMatchObject({ state: "degraded", reason: expect.stringMatching(new RegExp(`^check ${trusted}: TLS_EXPIRES_IN_7D: answered 200 in \\d+ ms; the certificate expires in 1 day \\(\\d{4}-\\d\\d-\\d\\d\\)`)) });
      const stored = (await events(service))[0]!;
      expect(stored).toMatchObject({ level: "warn", error_code: "TLS_EXPIRES_IN_7D" });
      expect(Date.parse(stored.attributes["certificate_expires_at"] as string) - Date.now()).toBeLessThan(86_400_000 + 60_000);

      const untrusted = unique("tls-untrusted");
      await createCheck({ name: untrusted, service: unique("tls-untrusted-svc"), interval_seconds: 1, timeout_ms: 2_000, http: { url } });
      expect((await waitFor(() => check(untrusted), (c) => c.last_result !== null, 8_000)).value.last_result).toMatchObject({ outcome: "fail", error_code: "TLS_UNTRUSTED" });
    } finally {
      server.closeAllConnections();
      server.close();
      folder.remove();
    }
  });
});

describe("who may manage checks", () => {
  it("lets an operator check its team's services, not another's, and shows checks only to who sees the service", async () => {
    const team = unique("team-chk");
    const other = unique("team-chk-other");
    await h.sql`INSERT INTO teams (name) VALUES (${team}), (${other})`;
    const theirs = unique("svc-theirs");
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${theirs}, ${other})`;
    const operator = await h.caller({ role: "operator", teams: [team] });
    const reader = await h.caller({ role: "operator", teams: [team], grants: [{ service: theirs, access: "read" }] });
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    const body = (name: string, service: string) => ({ name, service, interval_seconds: 3600, tcp: { host: "127.0.0.1", port: 9 } });

    const mine = unique("svc-mine");
    const created = await operator.postJson("/checks", body(unique("chk"), mine));
    expect(created.status).toBe(201);
    // Registered on first sight, as ingest does: an operator's new service belongs to its team.
    expect((await h.sql`SELECT owner_team FROM services WHERE name = ${mine}`)[0]!.owner_team).toBe(team);
    const refused = unique("chk");
    expect((await reader.postJson("/checks", body(refused, theirs))).status).toBe(403);
    expect((await viewer.postJson("/checks", body(unique("chk"), mine))).status).toBe(403);
    expect(await h.sql`SELECT 1 FROM checks WHERE name = ${refused}`).toHaveLength(0);

    const name = ((await created.json()) as { name: string }).name;
    expect((await viewer.get(`/checks/${name}`)).status).toBe(200);
    const stranger = await h.caller({ role: "viewer", teams: [other] });
    expect((await stranger.get(`/checks/${name}`)).status).toBe(404);
    expect(((await (await stranger.get("/checks")).json()) as { items: { name: string }[] }).items.map((c) => c.name)).not.toContain(name);
    expect((await viewer.send("DELETE", `/checks/${name}`)).status).toBe(403);
    expect((await (await h.caller({ role: "operator", teams: [other] })).send("DELETE", `/checks/${name}`)).status).toBe(404);
    expect((await operator.send("DELETE", `/checks/${name}`)).status).toBe(204);
    expect((await operator.postJson("/checks", body(name, mine))).status).toBe(201);
    expect((await operator.postJson("/checks", body(name, mine))).status).toBe(409);
  });

  it("keeps checks and heartbeats to who may see their service in the tables themselves (row-level security, not only the routes)", async () => {
    const team = unique("team-rls");
    const other = unique("team-rls-other");
    await h.sql`INSERT INTO teams (name) VALUES (${team}), (${other})`;
    const [mine, theirs] = [unique("svc-rls-mine"), unique("svc-rls-theirs")];
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${mine}, ${team}), (${theirs}, ${other})`;
    for (const service of [mine, theirs]) {
      await h.sql`INSERT INTO checks (name, service_id, kind, spec, interval_seconds, timeout_ms, next_run_at)
                  SELECT ${`rls-${service}`}, id, 'tcp', '{"host":"127.0.0.1","port":9}', 3600, 1000, now() + interval '1 day' FROM services WHERE name = ${service}`;
      await h.sql`INSERT INTO heartbeats (service_id, token_hash, period_seconds, grace_seconds) SELECT id, md5(random()::text), 60, 60 FROM services WHERE name = ${service}`;
    }
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    const [user] = await h.sql<{ id: number }[]>`SELECT id FROM users WHERE name = ${viewer.user!}`;
    const actor = { kind: "user" as const, userId: user!.id, name: viewer.user!, role: "viewer" as const, keyPrefix: "" };
    const seen = await asActor(h.appPool, actor, async ({ sql }) => ({
      checks: (await sql<{ name: string }[]>`SELECT name FROM checks WHERE name = ANY(${[`rls-${mine}`, `rls-${theirs}`]})`).map((r) => r.name),
      heartbeats: (await sql<{ name: string }[]>`SELECT s.name FROM heartbeats h JOIN services s ON s.id = h.service_id WHERE s.name = ANY(${[mine, theirs]})`).length,
      raw: (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM heartbeats WHERE service_id IN (SELECT id FROM services WHERE name = ${mine})`)[0]!.n,
      hiddenBeats: (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM heartbeats h WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = h.service_id)`)[0]!.n,
      hiddenChecks: (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM checks c WHERE NOT EXISTS (SELECT 1 FROM services s WHERE s.id = c.service_id)`)[0]!.n,
    }));
    // The rows of services the viewer cannot see are not there for it at all, joined or not.
    expect(seen).toEqual({ checks: [`rls-${mine}`], heartbeats: 1, raw: 1, hiddenBeats: 0, hiddenChecks: 0 });
  });

  it("documents each kind of check in the OpenAPI document, descriptions included", async () => {
    const doc = (await (await h.get("/openapi.json")).json()) as { components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> } };
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["HttpCheck", "TcpCheck", "DnsCheck", "CheckCreate", "Check"]));
    expect(doc.components.schemas["HttpCheck"]!.properties["expected_status"]!.description).toMatch(/^Statuses that pass/);
    expect(doc.components.schemas["DnsCheck"]!.properties["resolver"]!.description).toMatch(/DNS server/);
  });

  it.each([
    ["no kind", { name: "c-1", service: "s" }, "http"],
    ["two kinds", { name: "c-2", service: "s", tcp: { host: "a", port: 1 }, dns: { hostname: "a" } }, "http"],
    ["a URL that is not http", { name: "c-3", service: "s", http: { url: "file:///etc/passwd" } }, "http.url"],
    ["json_equals without json_path", { name: "c-4", service: "s", http: { url: "http://a/", json_equals: 1 } }, "http.json_equals"],
    ["an interval of 0", { name: "c-5", service: "s", interval_seconds: 0, tcp: { host: "a", port: 1 } }, "interval_seconds"],
    ["a port out of range", { name: "c-6", service: "s", tcp: { host: "a", port: 70000 } }, "tcp.port"],
    ["a host with a scheme", { name: "c-7", service: "s", tcp: { host: "http://a", port: 1 } }, "tcp.host"],
  ])("refuses %s with a 400 naming the field", async (_what, body, field) => {
    const res = await h.postJson("/checks", body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
  });
});
