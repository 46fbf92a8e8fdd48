import { Intake } from "./intake.ts";
import { describe, expect, inject, it } from "vitest";
import { ingestedBatches } from "../metrics/registry.ts";
import { createDb } from "../db/client.ts";
import { asActor } from "../db/scoped.ts";
import { asRuntime, testHarness, unique, type Caller } from "../test-support/harness.ts";
import { writeBatch } from "./batch-writer.ts";
import { toColumns } from "./event-columns.ts";
import { parseBatch } from "./formats/native-json.ts";
import { MAX_BATCH_EVENTS } from "./limits.ts";
import { HourHistograms } from "../status/hour-histograms.ts";

// Ingest where it meets registration, entitlements and concurrency, always as real callers
// with the service-id cache cold where it matters.
const h = testHarness();
const stored = async (service: string) => (await h.sql`SELECT count(*)::int AS n FROM log_events e JOIN services s ON s.id = e.service_id WHERE s.name = ${service}`)[0]!.n as number;
const batchesCounted = async (result: string) => (await ingestedBatches.get()).values.find((v) => v.labels.result === result)?.value ?? 0;

describe("first batches for new services", () => {
  it("all succeed when ten arrive at once for each of twenty new names", async () => {
    const names = Array.from({ length: 20 }, () => unique("fresh"));
    const ingest = await h.caller({ ingest: names });
    h.serviceIds.clear();
    const results = await Promise.all(names.flatMap((service) => Array.from({ length: 10 }, (_, i) => ingest.postJson("/v1/logs", [{ service, message: `first ${i}` }]))));
    // The bodies, not just the statuses: a failure here is a race, and its problem says which.
    const refused = await Promise.all(results.filter((r) => r.status !== 200).map(async (r) => `${r.status} ${await r.text()}`));
    expect(refused).toEqual([]);
    for (const service of names) expect(await stored(service)).toBe(10);
  });

  it("a first batch that rolls back after registering its service does not poison the name", async () => {
    const service = unique("poisoned");
    const pool = createDb(asRuntime(inject("databaseUrl")), { max: 1 }).sql;
    const admin = { kind: "user", userId: 0, name: "admin", role: "admin", keyPrefix: "test" } as const;
    const parsed = parseBatch([{ service, message: "never stored" }], { receivedAt: new Date(), lenient: false });
    if (!parsed.ok) throw new Error("fixture");
    // Any failure after registration (a later statement, a lost connection) rolls the new service back.
    await expect(
      asActor(pool, admin, async (scoped) => {
        await writeBatch(scoped, h.serviceIds, toColumns(parsed.events));
        throw new Error("the batch fails after registering");
      }),
    ).rejects.toThrow("fails after registering");
    await pool.end();
    expect((await h.sql`SELECT 1 FROM services WHERE name = ${service}`).length).toBe(0);
    const res = await h.postJson("/v1/logs", [{ service, message: "stored" }]);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await stored(service)).toBe(1);
  });
});

describe("how a batch is laid out", () => {
  it("stores a batch's events in timestamp order, whatever order they arrived in", async () => {
    const service = unique("ordered");
    const ingest = await h.caller({ ingest: [service] });
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    // A live stream's batch: stamped within the last minute, in no particular order.
    const offsets = Array.from({ length: 200 }, (_, i) => (i * 7919) % 59_000);
    const res = await ingest.postJson("/v1/logs", offsets.map((ms, i) => ({ service, timestamp: new Date(minute - ms).toISOString(), message: `event ${i}` })));
    expect(res.status, await res.clone().text()).toBe(200);
    // Physical order, partition by partition (a month may begin inside the minute).
    const rows = await h.sql<{ part: string; ms: number }[]>`
      SELECT e.tableoid::regclass::text AS part, (extract(epoch FROM e.ts) * 1000)::float8 AS ms FROM log_events e JOIN services s ON s.id = e.service_id
      WHERE s.name = ${service} ORDER BY e.tableoid, e.ctid`;
    expect(rows).toHaveLength(offsets.length);
    const sorted = [...rows].sort((a, b) => a.part.localeCompare(b.part) || a.ms - b.ms);
    expect(rows).toEqual(sorted);
  });
});

describe("who may ingest, each with a cold cache", () => {
  const team = unique("team-ingest");
  const other = unique("team-elsewhere");
  const owned = unique("svc-owned");
  const foreign = unique("svc-foreign");
  const cases: [string, () => Promise<Caller>, string, 200 | 403][] = [
    ["an admin", () => h.caller({ role: "admin" }), foreign, 200],
    ["an operator of the owning team, with no grant", () => h.caller({ role: "operator", teams: [team] }), owned, 200],
    ["an operator with a write grant on another team's service", () => h.caller({ role: "operator", grants: [{ service: foreign, access: "write" }] }), foreign, 200],
    ["an ingest key scoped to the service", () => h.caller({ ingest: [owned] }), owned, 200],
    ["a viewer of the owning team", () => h.caller({ role: "viewer", teams: [team] }), owned, 403],
    ["an operator with only a read grant", () => h.caller({ role: "operator", grants: [{ service: foreign, access: "read" }] }), foreign, 403],
    ["an operator of another team", () => h.caller({ role: "operator", teams: [other] }), owned, 403],
    ["an ingest key scoped to another service", () => h.caller({ ingest: [foreign] }), owned, 403],
  ];

  it.each(cases)("%s", async (who, make, service, expected) => {
    await h.sql`INSERT INTO teams (name) VALUES (${team}), (${other}) ON CONFLICT DO NOTHING`;
    await h.sql`INSERT INTO services (name, owner_team) VALUES (${owned}, ${team}), (${foreign}, ${other}) ON CONFLICT DO NOTHING`;
    const caller = await make();
    h.serviceIds.clear();
    const marker = unique("marker");
    const [rejectedBefore, failedBefore] = [await batchesCounted("rejected"), await batchesCounted("failed")];
    const res = await caller.postJson("/v1/logs", [{ service, message: marker }]);
    expect(res.status, await res.clone().text()).toBe(expected);
    expect((await h.sql`SELECT count(*)::int AS n FROM log_events WHERE message = ${marker}`)[0]!.n).toBe(expected === 200 ? 1 : 0);
    // A refused batch is the caller's mistake, never a `failed` one (that pages us). A key
    // whose role may not ingest is turned away by the route's guard before its body is
    // read; a batch outside the key's entitlement is read, and counted as rejected.
    expect(await batchesCounted("failed")).toBe(failedBefore);
    const mayIngest = !who.startsWith("a viewer");
    if (expected === 403) expect(await batchesCounted("rejected")).toBe(rejectedBefore + (mayIngest ? 1 : 0));
  });

  it("an operator's first batch to a new name registers it for the operator's team", async () => {
    const mine = unique("team-mine");
    const operator = await h.caller({ role: "operator", teams: [mine] });
    const service = unique("svc-new");
    expect((await operator.postJson("/v1/logs", [{ service }])).status).toBe(200);
    expect((await h.sql`SELECT owner_team FROM services WHERE name = ${service}`)[0]!.owner_team).toBe(mine);
    expect((await operator.get(`/services/${service}`)).status).toBe(200);
  });

  it("an operator in no team may not register services, by ingest or by POST /services", async () => {
    const loner = await h.caller({ role: "operator" });
    const service = unique("svc-orphan");
    expect((await loner.postJson("/v1/logs", [{ service }])).status).toBe(403);
    expect((await loner.postJson("/services", { name: service })).status).toBe(403);
    expect((await h.sql`SELECT 1 FROM services WHERE name = ${service}`).length).toBe(0);
  });
});

describe("memory has a budget", () => {
  it("refuses a 5 KB gzip body of a million empty events as too large, without parsing it", async () => {
    const { gzipSync } = await import("node:zlib");
    const bomb = gzipSync(Buffer.from(`[${"{},".repeat(1_700_000)}{}]`));
    expect(bomb.length).toBeLessThan(20_000);
    const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: bomb });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0]!.field).toBe("events");
  });

  it("refuses a plain body of 1.7 million empty events as too large, without parsing it", async () => {
    const flood = `[${"{},".repeat(1_700_000)}{}]`;
    const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json" }, body: flood });
    expect(res.status).toBe(413);
    // The counter's refusal; parsing would have said how many it found ("got 1700001").
    expect(((await res.json()) as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: "events", message: `must hold at most ${MAX_BATCH_EVENTS} events` }]);
  });

  it("refuses a plain body of more events than a batch holds, each without objects, as too large once parsed", async () => {
    const res = await h.request("/v1/logs", { method: "POST", headers: { "content-type": "application/json" }, body: `[${"1,".repeat(MAX_BATCH_EVENTS)}1]` });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { field: string; message: string }[] }).errors).toEqual([{ field: "events", message: expect.stringContaining(`(got ${MAX_BATCH_EVENTS + 1})`) }]);
  });

  it("answers 429 with Retry-After past the bytes in flight, and takes batches again once they are done", async () => {
    const { createApp } = await import("../api/app.ts");
    const { ByteBudget } = await import("./byte-budget.ts");
    const budget = new ByteBudget(64 * 1024);
    const small = createApp({ sql: h.appPool, serviceIds: h.serviceIds, hourHistograms: new HourHistograms(), now: () => new Date(), auth: "on", intake: new Intake({ sql: h.appPool, serviceIds: h.serviceIds, now: () => new Date(), budget }) });
    const service = unique("budget");
    const post = (events: unknown[]) => small.request("/v1/logs", { method: "POST", headers: { authorization: `Bearer ${h.admin.key}`, "content-type": "application/json" }, body: JSON.stringify(events) });
    const big = await post(Array.from({ length: 600 }, (_, i) => ({ service, message: `${i} ${"x".repeat(100)}` })));
    expect(big.status).toBe(429);
    expect(big.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(budget.inUse).toBe(0);
    expect((await post([{ service, message: "fits" }])).status).toBe(200);
    expect(budget.inUse).toBe(0);
  });
});
