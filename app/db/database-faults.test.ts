import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tempFolder } from "../test-support/temp-folder.ts";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../api/app.ts";
import { createUser } from "../access/repository.ts";
import { createKey } from "../access/api-keys.ts";
import { ServiceIds } from "../services/service-ids.ts";
import { freePort } from "../test-support/free-port.ts";
import { unique } from "../test-support/harness.ts";
import { createDb, type Sql } from "./client.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.ts";
import { runMigrations } from "./migrate.ts";
import { HourHistograms } from "../status/hour-histograms.ts";

// PostgreSQL frozen (SIGSTOP) and stopped under the API, on an embedded server of this
// file's own (on either CI database: only a server the test started can be frozen). The
// API must answer within bounded time with 503 and Retry-After, and every event it
// acknowledged must be there when the database is back.
const REQUEST_TIMEOUT_MS = 2_000;
let server: EmbeddedPostgres;
let dataRoot: string;
let port: number;
let appUrl: string;
let pool: Sql;
let app: ReturnType<typeof createApp>;
let key: string;
const service = unique("faults");
const acknowledged: string[] = [];

async function start() {
  server = await startEmbeddedPostgres({ dataDir: path.join(dataRoot, "pgdata"), port, persistent: true });
}
/** The postmaster and every backend of the cluster: freezing only the postmaster freezes nothing. */
function clusterPids(): number[] {
  const postmaster = Number(readFileSync(path.join(server.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const children = execFileSync("pgrep", ["-P", String(postmaster)], { encoding: "utf8" }).trim().split("\n").filter(Boolean).map(Number);
  return [postmaster, ...children];
}
const signal = (sig: NodeJS.Signals) => clusterPids().forEach((pid) => process.kill(pid, sig));

async function send(message: string) {
  const started = Date.now();
  const res = await app.request("/v1/logs", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify([{ service, message }]) });
  if (res.status === 200) acknowledged.push(message);
  return { res, ms: Date.now() - started };
}

beforeAll(async () => {
  dataRoot = tempFolder("failsight-faults").path;
  port = await freePort();
  await start();
  appUrl = await server.appUrl();
  const runtimeUrl = await server.runtimeUrl(); // before migrating: migrations grant to its group
  const setup = createDb(appUrl, { max: 2, systemScope: true }).sql; // the migrator holds one for its lock
  await runMigrations(setup);
  await createUser(setup, "fault-admin", "admin", []);
  key = (await createKey(setup, { name: "faults", user: "fault-admin" }))!.key;
  await setup.end();
  pool = createDb(runtimeUrl, { max: 4, timeouts: { connectSeconds: 2, statementMs: 5_000, idleInTransactionMs: 10_000 } }).sql;
  app = createApp({ sql: pool, serviceIds: new ServiceIds(), hourHistograms: new HourHistograms(), now: () => new Date(), auth: "on", requestTimeoutMs: REQUEST_TIMEOUT_MS });
}, 60_000);

afterAll(async () => {
  await pool?.end({ timeout: 1 }).catch(() => {});
  await server?.stop().catch(() => {});
  rmSync(dataRoot, { recursive: true, force: true });
});

describe("when the database goes away", () => {
  it("frozen: ingest and /ready answer 503 within bounded time, and work again once it thaws", async () => {
    expect((await send("before the freeze")).res.status).toBe(200);
    signal("SIGSTOP");
    try {
      const ingest = await send("during the freeze");
      expect(ingest.res.status).toBe(503);
      expect(ingest.res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(ingest.ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
      const started = Date.now();
      const ready = await app.request("/ready");
      expect(ready.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      signal("SIGCONT");
    }
    // Connections that hung are given up by the pool or answer now; either way it recovers.
    let after = await send("after the thaw");
    for (let i = 0; i < 20 && after.res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await send("after the thaw");
    }
    expect(after.res.status).toBe(200);
  }, 30_000);

  it("stopped: ingest answers 503 with Retry-After, /ready says the database is unreachable, and nothing acknowledged is lost", async () => {
    await server.stop();
    const ingest = await send("while stopped");
    expect(ingest.res.status).toBe(503);
    expect(ingest.res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(ingest.res.headers.get("content-type")).toBe("application/problem+json");
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { detail: string }).detail).toMatch(/database unreachable/);

    await start();
    let back = await send("after the restart");
    for (let i = 0; i < 20 && back.res.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 250));
      back = await send("after the restart");
    }
    expect(back.res.status).toBe(200);
    const check = createDb(appUrl, { max: 1, systemScope: true }).sql;
    const stored = (await check<{ message: string }[]>`SELECT e.message FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`).map((r) => r.message);
    await check.end();
    expect(acknowledged.length).toBeGreaterThanOrEqual(3);
    for (const message of acknowledged) expect(stored).toContain(message);
  }, 60_000);
});
