import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import postgres from "postgres";
import { describe, expect, inject, it } from "vitest";
import { generateKey } from "../access/key-format.ts";
import { runEntry } from "../test-support/entry-process.ts";
import { freePort } from "../test-support/free-port.ts";
import { freshDatabase } from "../test-support/fresh-database.ts";
import { unique } from "../test-support/harness.ts";

// The API bootstraps its admin key from FAILSIGHT_ADMIN_KEY only where no admin key exists
// yet: a database of this file's own.
const databaseUrl = await freshDatabase();
const adminKey = generateKey().key;

// The real entry points as separate processes, the way a container or `npm start` runs them (runEntry).
async function waitForHealth(port: number, output: () => string) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`API did not come up:\n${output()}`);
}

describe("entry points", () => {
  it("refuses to start on a bad variable, naming it", async () => {
    const p = runEntry("api", { PORT: "seventy", DATABASE_URL: inject("databaseUrl") });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/PORT/);
  });

  it("refuses to start the api without DATABASE_URL", async () => {
    const p = runEntry("api", {});
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/DATABASE_URL: required/);
  });

  it("migrate applies nothing twice and exits 0", async () => {
    const p = runEntry("migrate", { DATABASE_URL: inject("databaseUrl") });
    expect(await p.exited).toBe(0);
  });

  it("migrate registers the SQL readers it is given, and that role then reads its team's services only", async () => {
    const readerRole = new URL(inject("readerDatabaseUrl")).username;
    const team = unique("team-sql");
    const p = runEntry("migrate", { DATABASE_URL: databaseUrl, SQL_READERS: `${readerRole}:${team}` });
    expect(await p.exited, p.output()).toBe(0);
    const owner = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { "failsight.scope": "system" } as never });
    const mine = unique("svc-sql");
    await owner`INSERT INTO services (name, owner_team) VALUES (${mine}, ${team}), (${unique("svc-other")}, NULL)`;
    await owner.end();
    const reader = postgres(Object.assign(new URL(databaseUrl), { username: readerRole, password: "failsight" }).toString(), { max: 1, onnotice: () => {} });
    const seen = (await reader<{ name: string }[]>`SELECT name FROM services`).map((r) => r.name);
    await reader.end();
    expect(seen).toEqual([mine]);
  });

  it("on SIGTERM stops accepting, finishes the request in flight, commits it, and exits 0", async () => {
    const port = await freePort();
    const service = unique("drain");
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey });
    await waitForHealth(port, p.output);

    const body = JSON.stringify([{ service, message: "sent across a shutdown" }]);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/v1/logs", headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on("error", reject);
      // Half the body now, the signal, then the rest: the request is in flight throughout.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        p.child.kill("SIGTERM");
        setTimeout(async () => {
          await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
          req.end(body.slice(10));
        }, 300);
      }, 200);
    });

    expect(await response).toEqual({ status: 200, body: '{"accepted":1}' });
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"msg":"stopped"');
    const sql = postgres(databaseUrl, { max: 1, connection: { "failsight.scope": "system" } as never });
    const [row] = await sql`SELECT count(*)::int AS n FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`;
    await sql.end();
    expect(row!.n).toBe(1);
  });

  it("probes the API's checks in-process, and records a failed ping's transition at once, not a tracker interval later", async () => {
    const port = await freePort();
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey, STATUS_EVALUATION_SECONDS: "3600" });
    try {
      await waitForHealth(port, p.output);
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const service = unique("self");
      expect((await call("POST", "/checks", { name: unique("ready"), service, interval_seconds: 60, http: { url: `http://127.0.0.1:${port}/ready` } })).status).toBe(201);
      let state = "";
      for (let i = 0; i < 50 && state !== "up"; i++, await new Promise((r) => setTimeout(r, 100))) state = ((await (await call("GET", `/status/${service}`)).json()) as { state: string }).state;
      expect(state).toBe("up");

      const job = unique("job");
      await call("POST", "/services", { name: job });
      const { ping_url } = (await (await call("POST", `/services/${job}/heartbeat`, { period_seconds: 3600 })).json()) as { ping_url: string };
      expect((await fetch(`${ping_url}/fail`)).status).toBe(200);
      let recorded: unknown[] = [];
      for (let i = 0; i < 50 && recorded.length === 0; i++, await new Promise((r) => setTimeout(r, 100))) {
        recorded = ((await (await call("GET", `/status/${job}/events?from=now-1h`)).json()) as { items: { to: string }[] }).items.filter((e) => e.to === "down");
      }
      expect(recorded).toHaveLength(1);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });

  it("refuses to serve over a role that bypasses row-level security", async () => {
    const p = runEntry("api", { DATABASE_URL: inject("bypassRlsUrl"), PORT: String(await freePort()), HOST: "127.0.0.1" });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/superuser or BYPASSRLS role/);
  });

  it("keeps an idle keep-alive connection for HTTP_KEEP_ALIVE_SECONDS, and says so, then closes it", async () => {
    const port = await freePort();
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey, HTTP_KEEP_ALIVE_SECONDS: "2" });
    await waitForHealth(port, p.output);
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (d) => (received += d));
    const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(performance.now())));
    const ask = async () => {
      received = "";
      socket.write("GET /health HTTP/1.1\r\nHost: failsight\r\nConnection: keep-alive\r\n\r\n");
      for (let i = 0; i < 50 && !/\r\n\r\n[\s\S]*\}/.test(received); i++) await new Promise((r) => setTimeout(r, 20));
      return received;
    };
    expect(await ask()).toMatch(/^HTTP\/1\.1 200[\s\S]*\r\nKeep-Alive: timeout=2\r\n/i);
    // Idle for half the keep-alive: the same connection still answers.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await ask()).toMatch(/^HTTP\/1\.1 200/);
    const answered = performance.now();
    const idleFor = (await closed) - answered;
    expect(idleFor).toBeGreaterThan(1_800);
    expect(idleFor).toBeLessThan(5_000);
  });

  it("keeps idle connections open longer than the proxies in front of it by default", async () => {
    const port = await freePort();
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey });
    await waitForHealth(port, p.output);
    // Above ingress-nginx's and cloud load balancers' 60 s and Go's 90 s.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).headers.get("keep-alive")).toBe("timeout=95");
  });

  it("answers oversized headers with a 431 problem, and keeps serving", async () => {
    const port = await freePort();
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey });
    await waitForHealth(port, p.output);
    const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { "x-padding": "x".repeat(40_000) } });
    expect(res.status).toBe(431);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { status: number }).status).toBe(431);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it("with FAILSIGHT_AUTH=off warns loudly and listens on loopback only", async () => {
    const port = await freePort();
    const p = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), FAILSIGHT_AUTH: "off" });
    await waitForHealth(port, p.output);
    expect(p.output()).toMatch(/FAILSIGHT_AUTH=off: API keys are not checked.*listening on 127\.0\.0\.1/);
    const listening = readFileSync("/proc/net/tcp", "utf8").split("\n").filter((l) => l.includes(`:${port.toString(16).toUpperCase().padStart(4, "0")} `) && / 0A /.test(l));
    expect(listening.map((l) => l.trim().split(/\s+/)[1]!.split(":")[0])).toEqual(["0100007F"]);
  });

  // What `helm test` runs (charts/failsight/templates/tests/): the real API, the real check.
  it("smoke-test passes against a running API with the admin key, and names the step that fails with a wrong key", async () => {
    const port = await freePort();
    const api = runEntry("api", { DATABASE_URL: databaseUrl, PORT: String(port), HOST: "127.0.0.1", FAILSIGHT_ADMIN_KEY: adminKey });
    await waitForHealth(port, api.output);
    const url = `http://127.0.0.1:${port}`;

    const passing = runEntry("smoke-test", { FAILSIGHT_URL: url, FAILSIGHT_KEY: adminKey });
    expect(await passing.exited, passing.output()).toBe(0);
    expect(passing.output()).toMatch(/ok: .*\/ready\nok: POST \/v1\/logs stored 1 event for failsight-smoke-test \(trace_id [0-9a-f]{32}\)\nok: GET \/logs read it back \(id \S+\)/);

    const wrongKey = runEntry("smoke-test", { FAILSIGHT_URL: url, FAILSIGHT_KEY: generateKey().key, SMOKE_TIMEOUT_SECONDS: "5" });
    expect(await wrongKey.exited).toBe(1);
    expect(wrongKey.output()).toContain("failed: POST /v1/logs: 401");

    const nothingThere = runEntry("smoke-test", { FAILSIGHT_URL: `http://127.0.0.1:${await freePort()}`, FAILSIGHT_KEY: adminKey, SMOKE_TIMEOUT_SECONDS: "2" });
    expect(await nothingThere.exited).toBe(1);
    expect(nothingThere.output()).toContain("failed: GET /ready: fetch failed");
  }, 60_000);
});
