import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { revokeKey } from "../../../access/api-keys.ts";
import { forgetOldBatches } from "../../../ingest/journal.ts";
import { testHarness, unique, type Caller } from "../../../test-support/harness.ts";

// Live tail over a real WebSocket: the app on a real HTTP server, connected as Grafana's
// Loki datasource does (the key in the upgrade request's Basic auth), on the real database.

const h = testHarness();
const teamA = unique("team-tail-a");
const teamB = unique("team-tail-b");
const a = unique("tail-a");
const b = unique("tail-b");
const sockets = new WebSocketServer({ noServer: true });
let server: Server;
let base: string;
let viewer: Caller;

beforeAll(async () => {
  await h.sql`INSERT INTO teams (name) VALUES (${teamA}), (${teamB})`;
  await h.sql`INSERT INTO services (name, owner_team) VALUES (${a}, ${teamA}), (${b}, ${teamB})`;
  viewer = await h.caller({ role: "viewer", teams: [teamA] });
  server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1", websocket: { server: sockets } }, () => resolve(s as Server)) as Server;
  });
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets.clients) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
});

type Message = { streams: { stream: Record<string, string>; values: [string, string][] }[]; dropped_entries: null };

/** A tail as a client sees it: every line received, when, and how it ended. */
function tail(query: string, key: string, params: Record<string, string> = {}) {
  const ws = new WebSocket(`${base}/loki/api/v1/tail?${new URLSearchParams({ query, ...params })}`, {
    headers: { authorization: `Basic ${Buffer.from(`grafana:${key}`).toString("base64")}` },
  });
  const lines: { line: string; labels: Record<string, string>; at: number }[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on("open", () => resolve());
    ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as Message;
    expect(message.dropped_entries).toBeNull();
    for (const s of message.streams) for (const [, line] of s.values) lines.push({ line, labels: s.stream, at: Date.now() });
  });
  const until = async (predicate: () => boolean, ms = 3_000) => {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return predicate();
  };
  return { ws, lines, closed, opened, until };
}

describe("GET /loki/api/v1/tail", () => {
  it("sends the lines since start, then each new one within a second, and only what the key may read", async () => {
    const before = unique("before");
    expect((await h.postJson("/v1/logs", [{ service: a, message: before }, { service: b, message: `${before}-b` }])).status).toBe(200);
    const t = tail(`{service=~"${a}|${b}"}`, viewer.key!, { start: `${Date.now() - 60_000}000000` });
    await t.opened;
    expect(await t.until(() => t.lines.some((l) => l.line === before))).toBe(true);

    const mine = unique("live");
    const sentAt = Date.now();
    expect((await h.postJson("/v1/logs", [{ service: b, message: `${mine}-b` }, { service: a, message: mine, level: "error" }])).status).toBe(200);
    expect(await t.until(() => t.lines.some((l) => l.line === mine))).toBe(true);
    const got = t.lines.find((l) => l.line === mine)!;
    expect(got.at - sentAt).toBeLessThan(1_000);
    expect(got.labels).toMatchObject({ service: a, team: teamA, level: "error" });
    // The other team's lines, old and new, never come, and nothing comes twice.
    await new Promise((r) => setTimeout(r, 700));
    expect(t.lines.filter((l) => l.line.endsWith("-b"))).toEqual([]);
    expect(new Set(t.lines.map((l) => l.line)).size).toBe(t.lines.length);
    t.ws.close();
  });

  it("applies the pipeline to live lines", async () => {
    const t = tail(`{service="${a}"} |= "keep" | json | status >= 500`, viewer.key!);
    await t.opened;
    const tag = unique("pipe");
    await h.postJson("/v1/logs", [
      { service: a, message: `${tag} keep`, status: 503 },
      { service: a, message: `${tag} keep`, status: 200 },
      { service: a, message: `${tag} drop`, status: 500 },
    ]);
    expect(await t.until(() => t.lines.some((l) => l.line.startsWith(tag)))).toBe(true);
    await new Promise((r) => setTimeout(r, 700));
    expect(t.lines.filter((l) => l.line.startsWith(tag)).map((l) => [l.line, l.labels.status])).toEqual([[`${tag} keep`, "503"]]);
    t.ws.close();
  });

  it("delivers a batch whose transaction committed after later ones", async () => {
    const t = tail(`{service="${a}"}`, viewer.key!);
    await t.opened;
    const slow = unique("slow");
    const quick = unique("quick");
    // A batch that journals itself, then holds its transaction open while another commits.
    const held = h.sql.begin(async (tx) => {
      await tx`
        WITH e AS (SELECT nextval('log_events_id_seq') AS id, now() AS ts, (SELECT id FROM services WHERE name = ${a}) AS service_id),
        stored AS (INSERT INTO log_events (id, ts, service_id, level, message) SELECT id, ts, service_id, 'info', ${slow} FROM e)
        INSERT INTO ingest_batches (first_id, last_id, first_ts, last_ts) SELECT id, id, ts, ts FROM e`;
      await new Promise((r) => setTimeout(r, 1_500));
    });
    await new Promise((r) => setTimeout(r, 200));
    await h.postJson("/v1/logs", [{ service: a, message: quick }]);
    expect(await t.until(() => t.lines.some((l) => l.line === quick))).toBe(true);
    await held;
    expect(await t.until(() => t.lines.some((l) => l.line === slow))).toBe(true);
    t.ws.close();
  });

  it("ends the tail when its key is revoked", async () => {
    const doomed = await h.caller({ role: "viewer", teams: [teamA] });
    const t = tail(`{service="${a}"}`, doomed.key!);
    await t.opened;
    await revokeKey(h.sql, doomed.key!.split("_")[1]!);
    const { code, reason } = await t.closed;
    expect(code).toBe(1008);
    expect(reason).toMatch(/revoked/);
  });

  it("refuses a tail without a WebSocket upgrade, or of a metric query, in Loki's error shape", async () => {
    const plain = await viewer.get(`/loki/api/v1/tail?${new URLSearchParams({ query: `{service="${a}"}` })}`);
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ status: "error", message: expect.stringMatching(/WebSocket/) });
    const t = tail(`count_over_time({service="${a}"}[1m])`, viewer.key!);
    await expect(t.opened).rejects.toThrow("HTTP 400");
  });

  it("keeps the journal short: old rows are dropped by Failsight's own connection", async () => {
    await h.sql`INSERT INTO ingest_batches (at, first_id, last_id, first_ts, last_ts) VALUES (now() - interval '1 hour', 1, 1, now(), now())`;
    expect(await forgetOldBatches(h.sql)).toBeGreaterThanOrEqual(1);
    expect((await h.sql`SELECT 1 FROM ingest_batches WHERE at < now() - interval '30 minutes'`).length).toBe(0);
  });
});
