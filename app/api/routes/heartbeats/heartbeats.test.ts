import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";

// Heartbeats through the real app on the migrated schema: the ping route called with no
// key (its token is the credential, checked by the database's own function), the state
// read back from /status as the admin and other roles would, and real seconds passing.

const h = testHarness();
let anonymous: Caller;

beforeAll(async () => {
  anonymous = await h.caller({ anonymous: true });
});

type Issued = { token: string; ping_url: string; state: string; reason: string; period_seconds: number; grace_seconds: number };
type Status = { state: string; reason: string };

async function serviceWithHeartbeat(periodSeconds: number, graceSeconds: number) {
  const name = unique("job");
  expect((await h.postJson("/services", { name })).status).toBe(201);
  const res = await h.postJson(`/services/${name}/heartbeat`, { period_seconds: periodSeconds, grace_seconds: graceSeconds });
  expect(res.status).toBe(201);
  return { name, issued: (await res.json()) as Issued };
}

const status = async (name: string) => (await (await h.get(`/status/${name}`)).json()) as Status;
const ping = (token: string, suffix = "", init?: RequestInit) => anonymous.request(`/ping/${token}${suffix}`, init);

describe("heartbeats", () => {
  it("issues a ping URL once, keeps the service up while pings come, and marks it down after period + grace of silence", async () => {
    const { name, issued } = await serviceWithHeartbeat(1, 1);
    expect(issued).toMatchObject({ period_seconds: 1, grace_seconds: 1, state: "unknown", reason: "waiting for the first ping" });
    expect(issued.ping_url).toBe(`http://localhost/ping/${issued.token}`);
    for (let i = 0; i < 3; i++) {
      const res = await ping(issued.token);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("OK");
      expect(await status(name)).toMatchObject({ state: "up", reason: expect.stringMatching(/^last ping 0s ago/) });
      await sleep(700);
    }
    await sleep(2_500);
    expect(await status(name)).toMatchObject({ state: "down", reason: expect.stringMatching(/^no ping for [2-9]s \(expected every 1s, grace 1s\)$/) });
    const beat = (await (await h.get(`/services/${name}/heartbeat`)).json()) as Record<string, unknown>;
    expect(beat).toMatchObject({ state: "down", last_ping_kind: "success" });
    expect(beat).not.toHaveProperty("token");
    expect((await ping(issued.token, "", { method: "POST" })).status).toBe(200);
    expect((await status(name)).state).toBe("up");
  });

  it("is down at once on /fail and keeps the job's output with the event, which counts as an error", async () => {
    const { name, issued } = await serviceWithHeartbeat(3600, 1);
    expect((await ping(issued.token)).status).toBe(200);
    expect((await ping(issued.token, "/fail", { method: "POST", body: "backup failed: disk full\n" })).status).toBe(200);
    expect(await status(name)).toMatchObject({ state: "down", reason: expect.stringMatching(/^the job reported a failure \ds ago \(\/fail\)$/) });
    // The next success ends the failure; the failed run stays an error of the window.
    expect((await ping(issued.token)).status).toBe(200);
    expect(await status(name)).toMatchObject({ state: "degraded", reason: "error rate 33.3% ≥ 5.0%" });

    const logs = (await (await h.get(`/logs?service=${name}&limit=10`)).json()) as { items: { level: string; error_code: string | null; attributes: Record<string, unknown> | null }[] };
    expect(logs.items.map((e) => e.attributes?.["ping"])).toEqual(["success", "fail", "success"]);
    expect(logs.items[1]).toMatchObject({ level: "error", error_code: "JOB_FAILED", attributes: { source: "heartbeat", ping: "fail", output: "backup failed: disk full\n" } });
    expect(logs.items[0]!.attributes).toEqual({ source: "heartbeat", ping: "success" });
  });

  it("gives a job that pinged /start the grace to finish, then marks it down until it does", async () => {
    const { name, issued } = await serviceWithHeartbeat(3600, 1);
    expect((await ping(issued.token, "/start")).status).toBe(200);
    expect(await status(name)).toMatchObject({ state: "up", reason: expect.stringMatching(/^the job is running, started \ds ago$/) });
    await sleep(2_200);
    expect(await status(name)).toMatchObject({ state: "down", reason: expect.stringMatching(/^the job started [2-9]s ago and has not finished \(grace 1s\)$/) });
    expect((await ping(issued.token)).status).toBe(200);
    expect(await status(name)).toMatchObject({ state: "up", reason: expect.stringMatching(/^last ping 0s ago/) });
  });

  it("revokes a token when a new one is issued or the heartbeat is deleted; a bad token is a 404 problem", async () => {
    const { name, issued } = await serviceWithHeartbeat(60, 60);
    const again = (await (await h.postJson(`/services/${name}/heartbeat`, { period_seconds: 60 })).json()) as Issued;
    expect(again.token).not.toBe(issued.token);
    expect(again.grace_seconds).toBe(60);
    const old = await ping(issued.token);
    expect(old.status).toBe(404);
    expect(old.headers.get("content-type")).toContain("application/problem+json");
    expect((await ping(again.token)).status).toBe(200);
    expect((await h.request(`/services/${name}/heartbeat`, { method: "DELETE" })).status).toBe(204);
    expect((await ping(again.token)).status).toBe(404);
    expect((await h.get(`/services/${name}/heartbeat`)).status).toBe(404);
    expect((await ping("not-a-token")).status).toBe(404);
    expect((await ping("x".repeat(43), "/fail")).status).toBe(404);
    const tooBig = await ping(again.token, "", { method: "POST", body: "x".repeat(100_001) });
    expect(tooBig.status).toBe(413);
  });

  it("lets only who may change the service set its heartbeat, and only who may see it read it", async () => {
    const team = unique("team-hb");
    const other = unique("team-hb-other");
    await h.sql`INSERT INTO teams (name) VALUES (${team}), (${other})`;
    const name = unique("job");
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${name}, ${team})`;
    const owner = await h.caller({ role: "operator", teams: [team] });
    const reader = await h.caller({ role: "operator", teams: [other], grants: [{ service: name, access: "read" }] });
    const stranger = await h.caller({ role: "operator", teams: [other] });
    const viewer = await h.caller({ role: "viewer", teams: [team] });
    const ingest = await h.caller({ ingest: [name] });
    const body = { period_seconds: 60 };

    expect((await stranger.postJson(`/services/${name}/heartbeat`, body)).status).toBe(404);
    expect((await reader.postJson(`/services/${name}/heartbeat`, body)).status).toBe(403);
    expect((await viewer.postJson(`/services/${name}/heartbeat`, body)).status).toBe(403);
    expect((await ingest.postJson(`/services/${name}/heartbeat`, body)).status).toBe(403);
    expect(await h.sql`SELECT 1 FROM heartbeats WHERE service_id = (SELECT id FROM services WHERE name = ${name})`).toHaveLength(0);

    expect((await owner.postJson(`/services/${name}/heartbeat`, body)).status).toBe(201);
    expect((await viewer.get(`/services/${name}/heartbeat`)).status).toBe(200);
    expect((await reader.get(`/services/${name}/heartbeat`)).status).toBe(200);
    expect((await stranger.get(`/services/${name}/heartbeat`)).status).toBe(404);
    expect((await reader.send("DELETE", `/services/${name}/heartbeat`)).status).toBe(404);
    expect((await viewer.send("DELETE", `/services/${name}/heartbeat`)).status).toBe(403);
    expect(await h.sql`SELECT 1 FROM heartbeats WHERE service_id = (SELECT id FROM services WHERE name = ${name})`).toHaveLength(1);
  });

  it("stores only a hash of the token, and the API's role cannot read heartbeats outside a scope", async () => {
    const { name, issued } = await serviceWithHeartbeat(60, 60);
    const [row] = await h.sql<{ token_hash: string }[]>`SELECT token_hash FROM heartbeats WHERE service_id = (SELECT id FROM services WHERE name = ${name})`;
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.token_hash).not.toContain(issued.token);
    // The runtime role with no scope (an anonymous request's) sees no heartbeat at all.
    expect(await h.appPool`SELECT * FROM heartbeats`).toHaveLength(0);
    expect(await h.appPool`UPDATE heartbeats SET period_seconds = 1 RETURNING service_id`).toHaveLength(0);
  });

  it("records a ping as Failsight only for its own statement: the caller's scope is back after it", async () => {
    const { issued } = await serviceWithHeartbeat(60, 60);
    const [row] = await h.appPool.begin(async (tx) => {
      await tx`SELECT set_config('failsight.scope', 'request', true)`;
      const [pinged] = await tx<{ service: string }[]>`SELECT service FROM failsight_heartbeat_ping(encode(sha256(convert_to(${issued.token}, 'UTF8')), 'hex'), 'success')`;
      return tx<{ scope: string; pinged: boolean }[]>`SELECT current_setting('failsight.scope') AS scope, ${pinged !== undefined} AS pinged`;
    });
    expect(row).toEqual({ scope: "request", pinged: true });
  });
});
